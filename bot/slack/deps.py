"""What every listener needs, put into bolt's request context as `context["mlrole"]`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bot.settings import Settings
from bot.slack.limits import PersonLimit


@dataclass
class Deps:
    settings: Settings
    knowledge: Any  # bot.live.LiveKnowledge (or anything with `.answerer` and `.status()`)
    store: Any  # bot.storage.Store
    channel_names: dict[str, tuple[str, float]] = field(default_factory=dict)
    channel_name_ttl: float = 3600.0
    people: Any = None  # bot.slack.people.SlackPeople when the org overlay names groups or emails
    limit: PersonLimit = field(default_factory=PersonLimit)

    def cached_channel_name(self, channel_id: str) -> str | None:
        hit = self.channel_names.get(channel_id)
        if hit and hit[1] > time.monotonic():
            return hit[0]
        return None

    def cache_channel_name(self, channel_id: str, name: str) -> None:
        if len(self.channel_names) > 5000:
            self.channel_names.clear()
        self.channel_names[channel_id] = (name, time.monotonic() + self.channel_name_ttl)


    async def fresh_people(self) -> None:
        """Answers name the org's people from a snapshot; refresh it first when it is due."""
        if self.people is not None:
            await self.people.ensure_fresh()


def deps_of(context: Any) -> Deps:
    return context["mlrole"]
