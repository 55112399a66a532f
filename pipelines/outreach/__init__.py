"""Customer data that does not come from the export: consent and contact addresses."""
