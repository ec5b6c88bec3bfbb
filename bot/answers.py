"""Turn a match into an answer a person can read and a script can parse.

The answer is structured (headline, paragraphs, labelled facts, related entries, sources) so
each adapter lays it out in its own medium; `text` is the plain rendering every surface shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot import smalltalk
from bot.knowledge.model import KnowledgeBase
from bot.matching import Candidate, Match, Matcher
from bot.org import Org
from bot.people import Contacts, PeopleBook, contacts_for, flat_mentions, flat_plain
from bot.reading import ELLIPSIS, follow_up_shape
from bot.text import match_key, normalise

PART_LABELS = {"responsible": "does the work", "consulted": "consulted", "informed": "kept informed"}


@dataclass(frozen=True)
class Related:
    kind: str
    id: str
    title: str


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    kind: str | None = None
    id: str | None = None
    title: str | None = None
    roles: tuple[str, ...] = ()
    score: float = 0.0
    headline: str = ""
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    points: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()
    sources: tuple[str, ...] = ()
    suggestions: tuple[Candidate, ...] = ()
    notes: tuple[str, ...] = ()
    workspace: str = ""
    """Who holds the answer's roles in this company (from the org overlay), as plain text."""
    workspace_mentions: tuple[str, ...] = ()
    """The same contacts as Slack mentions; trusted config, never user text."""
    contacts: tuple[Contacts, ...] = ()
    """Each role's people in this company, labelled by role, owner first."""
    extra: dict[str, Any] = field(default_factory=dict)
    confidence: str | None = None
    """"sure", "probably" (answered, other candidates in `suggestions`), None when not answered."""

    @property
    def probably(self) -> bool:
        return self.answered and self.confidence == "probably"

    @property
    def text(self) -> str:
        lines = [self.headline]
        lines += [p for p in self.paragraphs]
        lines += [f"{label}: {value}" for label, value in self.facts]
        lines += [f"• {p}" for p in self.points]
        if self.contacts:
            lines.append("In this workspace:")
            lines += [c.line() for c in self.contacts]
        elif self.workspace:
            lines.append(f"In this workspace: {self.workspace}")
        if self.suggestions and not self.answered:
            lines.append("Did you mean: " + "; ".join(s.title for s in self.suggestions) + "?")
        elif self.suggestions and self.probably:
            lines.append("Not it? Perhaps: " + "; ".join(s.title for s in self.suggestions) + ".")
        if self.sources:
            lines.append("Sources: " + "; ".join(self.sources))
        lines += list(self.notes)
        return "\n".join(line for line in lines if line)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answered": self.answered,
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "roles": list(self.roles),
            "score": self.score,
            "confidence": self.confidence,
            "text": self.text,
            "suggestions": [{"kind": s.kind, "id": s.id, "title": s.title, "score": s.score}
                            for s in self.suggestions],
            "sources": list(self.sources),
            "workspace": self.workspace or None,
            "contacts": [c.to_json() for c in self.contacts],
            **self.extra,
        }


class Answerer:
    """The core's front door: question in, answer out. Adapters need nothing else."""

    def __init__(self, kb: KnowledgeBase, org: Org | None = None, people: PeopleBook | None = None) -> None:
        self.kb = kb
        self.org = org or Org({})
        self.people = people or PeopleBook()
        self.matcher = Matcher(kb)

    def ask(self, question: str) -> Answer:
        match = self.matcher.match(question if isinstance(question, str) else str(question))
        return self.answer(match)

    def ask_in_thread(self, question: str, previous: tuple[str, str] | None) -> Answer:
        """Answer a message in a conversation whose last answer was `previous` (kind, id).

        A message with a subject of its own is answered on its own; one without ("who else is
        involved?", "what do they do?", "which stage is that in?", "and monitoring?") is read
        against the previous entry.
        """
        text = question if isinstance(question, str) else str(question)
        entry = self.kb.get(*previous) if previous else None
        shape = follow_up_shape(text)
        if shape is None:
            return self.ask(text)
        if entry is None:
            own = self.matcher.match(text)
            if shape == "elliptical" or (own.best and own.best.kind == "responsibility"):
                return self.answer(own)
            return self._unknown(replace(own, best=None, confidence=None), ())
        if shape == "elliptical":
            rest = ELLIPSIS.sub("", normalise(text)).strip()
            match = self.matcher.match(f"{rest} {entry.title}")
            asked = set(match_key(rest).split())
            if not match.best or match.best.id == entry.id or not asked & set(match_key(match.best.title).split()):
                match = self.matcher.match(rest)
            return self.answer(replace(match, question=text))
        if shape == "stage" and entry.kind == "responsibility":
            return self.answer_entry("stage", entry.stage, text)
        if shape in ("who", "stage") or entry.kind != "responsibility":
            return self.answer_entry(entry.kind, entry.id, text)
        return self.answer_entry("role", entry.accountable, text)

    def answer_entry(self, kind: str, entry_id: str, question: str | None = None) -> Answer:
        """The answer for a known entry, as when someone presses its button."""
        entry = self.kb.get(kind, entry_id)
        if entry is None:
            return self.ask(question or entry_id.replace("-", " "))
        roles = entry.roles if kind == "comparison" else ()
        best = Candidate(kind, entry.id, entry.title, 100.0)
        return self.answer(Match(question or entry.title, best, (), roles))

    def answer(self, match: Match) -> Answer:
        notes = ("(Your question was long, so only its first 500 characters were read.)",) if match.truncated else ()
        best = match.best
        if match.small_talk:
            return Answer(question=match.question, answered=False, kind=smalltalk.KIND,
                          headline=smalltalk.reply(match.small_talk))
        if best is None:
            return self._unknown(match, notes)
        build = {
            "role": self._role,
            "responsibility": self._responsibility,
            "stage": self._stage,
            "topic": self._topic,
            "comparison": self._comparison,
        }[best.kind]
        return build(match, best, notes)

    # -- one builder per kind ----------------------------------------------------------------------

    def _base(self, match: Match, best: Candidate, notes: tuple[str, ...], sources: tuple[str, ...],
              **fields: Any) -> Answer:
        """Every builder's answer, built once: its confidence and hedge are set here, not by copying it."""
        roles = fields.get("roles", ())
        contacts = self.contacts(roles, owner=roles[0] if best.kind == "responsibility" and roles else None)
        confidence = match.confidence or "sure"
        if confidence == "probably":
            subject = best.title[0].lower() + best.title[1:] if best.kind != "role" else f"the {best.title}"
            fields["headline"] = f"I think you're asking about {subject}. {fields.get('headline', '')}"
        return Answer(question=match.question, answered=True, kind=best.kind, id=best.id,
                      title=best.title, score=best.score, sources=self._source_titles(sources),
                      notes=notes, suggestions=match.suggestions,
                      workspace=flat_plain(contacts), workspace_mentions=tuple(flat_mentions(contacts)),
                      contacts=contacts, confidence=confidence, **fields)

    def _role(self, match: Match, best: Candidate, notes: tuple[str, ...]) -> Answer:
        role = self.kb.roles[best.id]
        owns = self.kb.owned_by(role.id)
        involved = self.kb.involving(role.id)
        facts = []
        if owns:
            facts.append(("Owns", ", ".join(r.title for r in owns)))
        if involved:
            facts.append(("Also helps with", ", ".join(f"{r.title} ({PART_LABELS[p]})" for r, p in involved)))
        if role.works_with:
            facts.append(("Works with", self.role_titles(role.works_with)))
        if role.tools:
            facts.append(("Tools", ", ".join(role.tools)))
        if role.skills:
            facts.append(("Skills", ", ".join(role.skills)))
        related = tuple(Related("role", r, self.kb.roles[r].title) for r in role.works_with)
        return self._base(match, best, notes, role.sources, roles=(role.id,),
                          headline=f"{role.title}", paragraphs=(role.summary,), facts=tuple(facts),
                          related=related)

    def _responsibility(self, match: Match, best: Candidate, notes: tuple[str, ...]) -> Answer:
        resp = self.kb.responsibilities[best.id]
        owner = self.kb.roles[resp.accountable]
        facts = [("Owner (accountable)", owner.title)]
        for part in ("responsible", "consulted", "informed"):
            ids = getattr(resp, part)
            if ids:
                facts.append((PART_LABELS[part].capitalize(), self.role_titles(ids)))
        stage = self.kb.stages.get(resp.stage)
        if stage:
            facts.append(("Stage", stage.title))
        related = tuple(Related("role", r, self.kb.roles[r].title) for r in resp.roles)
        return self._base(match, best, notes, resp.sources, roles=resp.roles,
                          headline=f"{resp.title} is owned by the {owner.title}.",
                          paragraphs=(resp.detail,), facts=tuple(facts), related=related)

    def _stage(self, match: Match, best: Candidate, notes: tuple[str, ...]) -> Answer:
        stage = self.kb.stages[best.id]
        roles = tuple(self.kb.roles_in_stage(stage.id))
        tasks = [f"{r.title}: {self.kb.roles[r.accountable].title}" for r in self.kb.in_stage(stage.id)]
        facts = [("Roles involved", self.role_titles(roles))] if roles else []
        total = len(self.kb.stages)
        return self._base(match, best, notes, stage.sources, roles=roles,
                          headline=f"{stage.title} (step {stage.order} of {total} in an ML project)",
                          paragraphs=(stage.summary,), facts=tuple(facts),
                          points=tuple(tasks),
                          related=tuple(Related("role", r, self.kb.roles[r].title) for r in roles))

    def _topic(self, match: Match, best: Candidate, notes: tuple[str, ...]) -> Answer:
        topic = self.kb.topics[best.id]
        facts = [("Roles", self.role_titles(topic.roles))] if topic.roles else []
        return self._base(match, best, notes, topic.sources, roles=topic.roles, headline=topic.title,
                          paragraphs=(topic.summary,), points=topic.points, facts=tuple(facts),
                          related=tuple(Related("role", r, self.kb.roles[r].title) for r in topic.roles))

    def _comparison(self, match: Match, best: Candidate, notes: tuple[str, ...]) -> Answer:
        first, second = (self.kb.roles[r] for r in match.roles)
        stored = self.kb.comparison_for(first.id, second.id)
        paragraphs: list[str] = []
        points: tuple[str, ...] = ()
        sources: tuple[str, ...] = first.sources + second.sources
        if stored:
            paragraphs.append(stored.summary)
            points = stored.points
            sources = stored.sources
        facts = []
        for role in (first, second):
            owns = ", ".join(r.title for r in self.kb.owned_by(role.id)) or "no task on its own"
            facts.append((role.title, f"{role.summary} Owns: {owns}."))
        return self._base(match, best, notes, tuple(dict.fromkeys(sources)), roles=(first.id, second.id),
                          headline=f"{first.title} vs {second.title}", paragraphs=tuple(paragraphs),
                          facts=tuple(facts), points=points,
                          related=(Related("role", first.id, first.title),
                                   Related("role", second.id, second.title)))

    def _unknown(self, match: Match, notes: tuple[str, ...]) -> Answer:
        if match.unknown_role:
            closest = ", ".join(s.title for s in match.suggestions if s.kind == "role")
            headline = (f"There is no “{match.unknown_role}” role in our knowledge base"
                        + (f"; the closest roles are {closest}." if closest else "."))
            return Answer(question=match.question, answered=False, headline=headline,
                          suggestions=match.suggestions, notes=notes,
                          extra={"unknown_role": match.unknown_role})
        if match.question.strip():
            headline = ("I don't know that one: it doesn't look like a question about who does what "
                        "in our ML team.")
        else:
            headline = "Ask me about a role or a task, e.g. “who owns model deployment?” or “data engineer”."
        return Answer(question=match.question, answered=False, headline=headline,
                      suggestions=match.suggestions, notes=notes,
                      paragraphs=("Try a role (“what does an ML engineer do?”), a task (“who owns the "
                                  "data pipelines?”) or a comparison (“data scientist vs ML engineer”).",))

    # -- helpers --------------------------------------------------------------------------------

    def contacts(self, role_ids: tuple[str, ...], owner: str | None = None) -> tuple[Contacts, ...]:
        """The people behind these roles, from the overlay and the latest Slack directory."""
        if not self.org:
            return ()
        pairs = [(r, self.kb.roles[r].title) for r in role_ids if r in self.kb.roles]
        return contacts_for(self.org, self.people.directory, pairs, owner)

    def role_titles(self, role_ids: tuple[str, ...]) -> str:
        return ", ".join(self.kb.roles[r].title for r in role_ids)

    def _source_titles(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.kb.sources[s].title for s in ids if s in self.kb.sources)
