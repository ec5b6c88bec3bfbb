"""Starter questions drawn from the knowledge base, e.g. the Messages tab's suggested prompts.

Core, not Slack. Each prompt is built from a real entry's own title, so every suggestion is one
the bot answers with that entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from bot.knowledge.model import KnowledgeBase

MAX_TITLE = 50


@dataclass(frozen=True)
class Prompt:
    title: str
    """A short label (what the person sees on the chip)."""
    message: str
    """The question sent when the prompt is picked."""


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _in_sentence(title: str) -> str:
    """"Model deployment" → "model deployment"; acronyms ("ML roadmap", "A/B testing") stay."""
    if len(title) > 1 and (title[1].isupper() or not title[1].isalpha()):
        return title
    return title[:1].lower() + title[1:]


def _ownership(resp: Any) -> Prompt:
    label = f"Who owns {_in_sentence(resp.title)}?"
    return Prompt(label[:MAX_TITLE], label)


def _role(role: Any) -> Prompt:
    question = f"What does {_article(role.title)} {role.title} do?"
    return Prompt(question[:MAX_TITLE], question)


def _comparison(comp: Any, kb: KnowledgeBase) -> Prompt:
    first, second = (kb.roles[r].title if r in kb.roles else r for r in comp.roles)
    question = f"{first} vs {second}"
    return Prompt(question[:MAX_TITLE], question)


def _pick(items: Sequence[Any], seed: int, offset: int = 0) -> Any | None:
    return items[(seed + offset) % len(items)] if items else None


def starter_prompts(kb: KnowledgeBase, limit: int = 4, seed: int = 0) -> list[Prompt]:
    """Up to `limit` prompts: who owns a task, what a role does, two roles compared, another task.

    `seed` rotates the choice (e.g. per person) while staying deterministic.
    """
    resps = sorted(kb.responsibilities.values(), key=lambda r: r.id)
    roles = sorted(kb.roles.values(), key=lambda r: r.id)
    comps = sorted(kb.comparisons.values(), key=lambda c: c.id)
    picks: list[Prompt] = []
    first = _pick(resps, seed)
    if first is not None:
        picks.append(_ownership(first))
    role = _pick(roles, seed)
    if role is not None:
        picks.append(_role(role))
    comp = _pick(comps, seed)
    if comp is not None:
        picks.append(_comparison(comp, kb))
    if len(resps) > 1:
        picks.append(_ownership(_pick(resps, seed, len(resps) // 2)))
    for extra in roles[1:]:  # a tiny knowledge base: fill up with other roles
        if len(picks) >= limit:
            break
        prompt = _role(extra)
        if prompt not in picks:
            picks.append(prompt)
    unique = list(dict.fromkeys(picks))
    return unique[:limit]
