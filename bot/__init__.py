"""mlrole: who does what in a machine-learning team, answered from a curated knowledge base."""

__version__ = "0.1.0"
