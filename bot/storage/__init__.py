"""Storage the bot can live without: unanswered questions, answer counts, feedback votes, handled events."""

from bot.storage.base import (
    AnsweredRow,
    FeedbackRow,
    MemoryStore,
    PurgeResult,
    Store,
    UnansweredRow,
)
from bot.storage.factory import open_store

__all__ = ["AnsweredRow", "FeedbackRow", "MemoryStore", "PurgeResult", "Store", "UnansweredRow", "open_store"]
