"""The people behind the roles: the org overlay's references, resolved, and labelled per role.

The overlay (bot.org) names groups by handle or ID and people by ID or email; what those mean
right now is Slack's to say. An adapter (bot.slack.people) asks Slack and puts a `Directory`
snapshot into the `PeopleBook`; the core only reads snapshots, so it never waits on Slack and
never imports it. Without a snapshot (the CLI offline) answers show what the overlay says.

Only display names and IDs are kept, never emails or profiles: an email in the overlay is a
look-up key, not something answers repeat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from bot.org import GROUP_ID, USER_ID, Org

MEMBERS_KEPT = 10
"""Group members named in an answer's JSON and on the page; the rest are counted."""
MEMBERS_SHOWN = 2
"""Names in a one-line answer before "and N more"."""


@dataclass(frozen=True)
class Person:
    id: str
    name: str | None = None


@dataclass(frozen=True)
class Group:
    id: str
    handle: str
    name: str = ""
    members: tuple[Person, ...] = ()
    size: int = 0


@dataclass(frozen=True)
class Directory:
    """What the overlay's references meant in Slack at one moment."""

    groups: Mapping[str, Group] = field(default_factory=dict)   # by reference: "S…" or "@handle"
    people: Mapping[str, Person] = field(default_factory=dict)  # by reference: "U…" or an email
    missing: frozenset[str] = frozenset()                       # references Slack no longer knows
    refreshed_at: float = field(default_factory=time.time)


class PeopleBook:
    """The current Directory, replaced whole by whoever refreshes it (one assignment, no locks)."""

    def __init__(self, directory: Directory | None = None) -> None:
        self.directory = directory

    def status(self) -> dict[str, Any]:
        d = self.directory
        if d is None:
            return {"resolved": False}
        return {"resolved": True, "groups": len(d.groups), "people": len(d.people),
                "missing": len(d.missing), "refreshed_at": round(d.refreshed_at, 3)}


@dataclass(frozen=True)
class GroupContact:
    id: str | None
    handle: str | None
    members: tuple[Person, ...] = ()
    size: int | None = None

    def label(self) -> str:
        return f"@{self.handle}" if self.handle else f"@{self.id} group"

    def member_names(self, shown: int = MEMBERS_SHOWN) -> str:
        """"Ana, Ben and 3 more"; every name when there are at most shown + 1."""
        names = [m.name or m.id for m in self.members]
        size = max(self.size or 0, len(names))
        if not names:
            return ""
        if size <= shown + 1 and len(names) == size:
            return names[0] if size == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return ", ".join(names[:shown]) + f" and {size - min(shown, len(names))} more"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "handle": self.handle, "size": self.size,
                "members": [{"id": m.id, "name": m.name} for m in self.members]}


@dataclass(frozen=True)
class Contacts:
    """One role's people in this company, in the order answers show them."""

    role: str
    title: str
    owner: bool = False
    groups: tuple[GroupContact, ...] = ()
    channels: tuple[str, ...] = ()
    users: tuple[Person, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.groups or self.channels or self.users)

    def label(self) -> str:
        return f"{self.title} (owner)" if self.owner else self.title

    def plain_items(self) -> list[str]:
        out = []
        for group in self.groups:
            names = group.member_names()
            out.append(f"{group.label()}: {names}" if names else group.label())
        out += [c if c.startswith("#") else f"#{c}" for c in self.channels]
        out += [u.name or f"@{u.id}" for u in self.users]
        return out

    def line(self) -> str:
        """"ML Engineer — @ml-platform: Ana, Ben and 3 more · #ml-platform"."""
        return f"{self.label()} — " + " · ".join(self.plain_items())

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "title": self.title, "owner": self.owner,
                "users": [{"id": u.id, "name": u.name} for u in self.users],
                "groups": [g.to_json() for g in self.groups],
                "channels": list(self.channels)}


def resolve_role(org: Org, directory: Directory | None, role_id: str, title: str,
                 owner: bool = False) -> Contacts:
    """A role's contacts: resolved where Slack said so, skipped where Slack said they are gone."""
    entry = org.get(role_id)
    if entry is None:
        return Contacts(role_id, title, owner)
    gone = directory.missing if directory is not None else frozenset()
    groups = []
    for ref in entry.groups:
        found = directory.groups.get(ref) if directory is not None else None
        if found is not None:
            groups.append(GroupContact(found.id, found.handle, found.members, found.size))
        elif ref not in gone:
            groups.append(GroupContact(ref if GROUP_ID.match(ref) else None,
                                       None if GROUP_ID.match(ref) else ref.removeprefix("@")))
    users = []
    for ref in entry.people:
        person = directory.people.get(ref) if directory is not None else None
        if person is not None:
            users.append(person)
        elif ref not in gone and USER_ID.match(ref):  # an unresolved email is never shown
            users.append(Person(ref))
    return Contacts(role_id, title, owner, tuple(groups), entry.channels,
                    tuple(dict.fromkeys(users)))


def contacts_for(org: Org, directory: Directory | None, roles: Iterable[tuple[str, str]],
                 owner: str | None = None) -> tuple[Contacts, ...]:
    """Contacts for (role ID, title) pairs in the order given, leaving out roles with nobody."""
    out = (resolve_role(org, directory, role_id, title, owner=role_id == owner) for role_id, title in roles)
    return tuple(c for c in out if c)


def flat_plain(contacts: Iterable[Contacts]) -> str:
    """Every contact once, as one line of plain text (the answer's `workspace` field)."""
    seen: dict[str, None] = {}
    for c in contacts:
        for group in c.groups:
            seen.setdefault(group.label())
        for channel in c.channels:
            seen.setdefault(channel if channel.startswith("#") else f"#{channel}")
        for user in c.users:
            seen.setdefault(user.name or f"@{user.id}")
    return ", ".join(seen)


def flat_mentions(contacts: Iterable[Contacts]) -> list[str]:
    """Every contact once as a Slack mention; built only from IDs and handles the overlay checked."""
    seen: dict[str, None] = {}
    for c in contacts:
        for group in c.groups:
            seen.setdefault(f"<!subteam^{group.id}>" if group.id else f"@{group.handle}")
        for channel in c.channels:
            seen.setdefault(channel if channel.startswith("#") else f"<#{channel}>")
        for user in c.users:
            seen.setdefault(f"<@{user.id}>")
    return list(seen)
