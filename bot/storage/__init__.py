"""Storage the bot can live without: questions it could not answer, feedback, handled events."""

from bot.storage.base import FeedbackRow, MemoryStore, Store, UnansweredRow
from bot.storage.factory import open_store

__all__ = ["FeedbackRow", "MemoryStore", "Store", "UnansweredRow", "open_store"]
