"""The in-memory knowledge base: frozen, so a loaded version can be shared and swapped safely."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Iterator, Literal

Kind = Literal["role", "responsibility", "stage", "topic", "comparison"]
KINDS: tuple[Kind, ...] = ("role", "responsibility", "stage", "topic", "comparison")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    file: str


@dataclass(frozen=True)
class Role:
    id: str
    title: str
    aliases: tuple[str, ...]
    summary: str
    responsibilities: tuple[str, ...]
    skills: tuple[str, ...]
    tools: tuple[str, ...]
    works_with: tuple[str, ...]
    stages: tuple[str, ...]
    sources: tuple[str, ...]
    kind: Kind = field(default="role", init=False)
    examples: tuple[str, ...] = ()
    reviewed: date | None = None
    curator: str | None = None


@dataclass(frozen=True)
class Responsibility:
    id: str
    title: str
    aliases: tuple[str, ...]
    detail: str
    stage: str
    accountable: str
    responsible: tuple[str, ...]
    consulted: tuple[str, ...]
    informed: tuple[str, ...]
    sources: tuple[str, ...]
    kind: Kind = field(default="responsibility", init=False)
    examples: tuple[str, ...] = ()
    reviewed: date | None = None
    curator: str | None = None

    @property
    def roles(self) -> tuple[str, ...]:
        """Everyone with a part, owner first, each once."""
        ordered = (self.accountable, *self.responsible, *self.consulted, *self.informed)
        return tuple(dict.fromkeys(ordered))

    def part_of(self, role_id: str) -> str | None:
        if role_id == self.accountable:
            return "accountable"
        for part in ("responsible", "consulted", "informed"):
            if role_id in getattr(self, part):
                return part
        return None


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    aliases: tuple[str, ...]
    order: int
    summary: str
    sources: tuple[str, ...]
    kind: Kind = field(default="stage", init=False)
    examples: tuple[str, ...] = ()
    reviewed: date | None = None
    curator: str | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    aliases: tuple[str, ...]
    summary: str
    points: tuple[str, ...]
    roles: tuple[str, ...]
    stage: str | None
    sources: tuple[str, ...]
    kind: Kind = field(default="topic", init=False)
    examples: tuple[str, ...] = ()
    reviewed: date | None = None
    curator: str | None = None


@dataclass(frozen=True)
class Comparison:
    id: str
    title: str
    aliases: tuple[str, ...]
    roles: tuple[str, str]
    summary: str
    points: tuple[str, ...]
    sources: tuple[str, ...]
    kind: Kind = field(default="comparison", init=False)
    examples: tuple[str, ...] = ()
    reviewed: date | None = None
    curator: str | None = None


Entry = Role | Responsibility | Stage | Topic | Comparison


@dataclass(frozen=True)
class KnowledgeBase:
    roles: dict[str, Role]
    responsibilities: dict[str, Responsibility]
    stages: dict[str, Stage]
    topics: dict[str, Topic]
    comparisons: dict[str, Comparison]
    sources: dict[str, Source]
    version: str = ""

    def entries(self) -> Iterator[Entry]:
        for table in (self.roles, self.responsibilities, self.stages, self.topics, self.comparisons):
            yield from table.values()

    def __len__(self) -> int:
        return sum(1 for _ in self.entries())

    def get(self, kind: str, entry_id: str) -> Entry | None:
        table = {
            "role": self.roles,
            "responsibility": self.responsibilities,
            "stage": self.stages,
            "topic": self.topics,
            "comparison": self.comparisons,
        }.get(kind)
        return table.get(entry_id) if table is not None else None

    # Derived look-ups, built once per loaded version: answers must not scan every entry.

    @cached_property
    def _by_role(self) -> dict[str, tuple[list[Responsibility], list[tuple[Responsibility, str]]]]:
        table: dict[str, tuple[list, list]] = {r: ([], []) for r in self.roles}
        for resp in self.responsibilities.values():
            for role_id in resp.roles:
                part = resp.part_of(role_id)
                owned, involved = table.setdefault(role_id, ([], []))
                if part == "accountable":
                    owned.append(resp)
                else:
                    involved.append((resp, part))
        return table

    @cached_property
    def _by_stage(self) -> dict[str, list[Responsibility]]:
        table: dict[str, list[Responsibility]] = {}
        for resp in self.responsibilities.values():
            table.setdefault(resp.stage, []).append(resp)
        return table

    @cached_property
    def _comparison_by_pair(self) -> dict[frozenset[str], Comparison]:
        return {frozenset(c.roles): c for c in self.comparisons.values()}

    def owned_by(self, role_id: str) -> list[Responsibility]:
        return self._by_role.get(role_id, ([], []))[0]

    def involving(self, role_id: str) -> list[tuple[Responsibility, str]]:
        """Responsibilities in which the role has a part other than owner, with that part."""
        return self._by_role.get(role_id, ([], []))[1]

    def in_stage(self, stage_id: str) -> list[Responsibility]:
        return self._by_stage.get(stage_id, [])

    @cached_property
    def _roles_by_stage(self) -> dict[str, list[str]]:
        return {stage_id: self._rank_stage_roles(stage_id) for stage_id in self.stages}

    def roles_in_stage(self, stage_id: str) -> list[str]:
        """Roles involved in a stage, those owning most of its tasks first."""
        return self._roles_by_stage.get(stage_id, [])

    def _rank_stage_roles(self, stage_id: str) -> list[str]:
        weight: dict[str, float] = {}
        for resp in self.in_stage(stage_id):
            weight[resp.accountable] = weight.get(resp.accountable, 0) + 1
            for role_id in resp.roles[1:]:
                weight[role_id] = weight.get(role_id, 0) + 0.25
        for role in self.roles.values():
            if stage_id in role.stages:
                weight.setdefault(role.id, 0.1)
        return sorted(weight, key=lambda r: (-weight[r], r))

    def comparison_for(self, first: str, second: str) -> Comparison | None:
        return self._comparison_by_pair.get(frozenset((first, second)))
