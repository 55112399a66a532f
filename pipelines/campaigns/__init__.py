"""Campaigns: one checked draft per eligible customer, written by queue workers in batches."""
