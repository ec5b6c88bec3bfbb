"""The RACI matrix (responsibilities × roles) as markdown, for a Slack canvas or any markdown reader.

Core, not Slack: it reads only the KnowledgeBase. Rows follow the ML project's stages in order,
columns the roles that have a part in something; one line per role follows the table.
"""

from __future__ import annotations

from typing import Any

from bot.knowledge.model import KnowledgeBase

MATRIX_TITLE = "Who does what in our ML team: the RACI matrix"
"""The canvas's first heading; also how mlrole recognises a canvas it wrote."""
LETTERS = (("accountable", "A"), ("responsible", "R"), ("consulted", "C"), ("informed", "I"))
LEGEND = ("**A** accountable (owns it, one per task) · **R** does the work · **C** consulted · "
          "**I** kept informed")
SUMMARY_CHARS = 160


def cell(resp: Any, role_id: str) -> str:
    """The letters for one role in one responsibility, e.g. "A" or "R" (empty when no part)."""
    letters = []
    for part, letter in LETTERS:
        ids = (resp.accountable,) if part == "accountable" else getattr(resp, part)
        if role_id in ids:
            letters.append(letter)
    return "/".join(letters)


def ordered_responsibilities(kb: KnowledgeBase) -> list[Any]:
    order = {s.id: s.order for s in kb.stages.values()}
    return sorted(kb.responsibilities.values(), key=lambda r: (order.get(r.stage, 10**6), r.title.lower()))


def matrix_roles(kb: KnowledgeBase) -> list[Any]:
    """Roles with a part in at least one responsibility, owners of the most tasks first."""
    involved = {role_id for resp in kb.responsibilities.values() for role_id in resp.roles}
    roles = [r for r in kb.roles.values() if r.id in involved]
    return sorted(roles, key=lambda r: (-len(kb.owned_by(r.id)), r.title.lower()))


def _cell_text(text: str) -> str:
    """Table cells are one line and may not contain a bare pipe."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _short(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def matrix_markdown(kb: KnowledgeBase) -> str:
    """The whole canvas: title, legend, the matrix table and one line per role."""
    roles = matrix_roles(kb)
    stages = {s.id: s.title for s in kb.stages.values()}
    lines = [f"# {MATRIX_TITLE}", "", LEGEND, ""]
    lines.append("| Responsibility | Stage | " + " | ".join(_cell_text(r.title) for r in roles) + " |")
    lines.append("|" + "---|" * (len(roles) + 2))
    for resp in ordered_responsibilities(kb):
        cells = [_cell_text(resp.title), _cell_text(stages.get(resp.stage, resp.stage or ""))]
        cells += [cell(resp, r.id) for r in roles]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## The roles", ""]
    for role in kb.roles.values():
        owns = ", ".join(r.title for r in kb.owned_by(role.id))
        line = f"- **{_cell_text(role.title)}**: {_short(role.summary)}"
        if owns:
            line += f" Owns: {owns}."
        lines.append(line)
    if kb.version:
        lines += ["", f"_Knowledge base version {kb.version}. Run `/mlrole matrix` again to refresh._"]
    else:
        lines += ["", "_Run `/mlrole matrix` again to refresh._"]
    return "\n".join(lines) + "\n"
