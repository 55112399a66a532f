"""The deterministic mock chat model and how it writes."""
