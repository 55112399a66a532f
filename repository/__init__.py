"""Where data is stored and read: one module per aggregate, SQL only here, one factory."""
