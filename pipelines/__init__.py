"""Data pipelines: cleaning the source workbook and, later, AI content generation."""
