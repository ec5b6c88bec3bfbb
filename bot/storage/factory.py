"""Pick the store from settings. (Stub: memory only until the SQL store lands.)"""

from __future__ import annotations

from bot.settings import Settings
from bot.storage.base import MemoryStore, Store


async def open_store(settings: Settings) -> Store:
    return MemoryStore()
