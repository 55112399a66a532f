"""Where data comes in and text goes out: ingestion (cleaning exports) and content (RAG)."""
