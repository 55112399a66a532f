"""Data access: abstract repositories, their PostgreSQL implementations and the factory."""
