"""The AI content pipeline: retrieval, versioned prompts, a swappable chat model, output checks."""
