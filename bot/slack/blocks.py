"""Answer → Block Kit, built with `slack_sdk.models.blocks` and kept inside Slack's limits.

Every builder returns plain dicts (`.to_dict()` at the edge, which also validates each block)
and every message comes with a plain `text` fallback for notifications and screen readers.
User-facing wording lives here too, so the listeners only parse, ask, render and reply.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable, Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import smalltalk
from bot.answers import Answer
from bot.people import Contacts

# Slack's limits (https://api.slack.com/reference/block-kit/blocks)
MAX_MESSAGE_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 2000
MAX_FALLBACK_TEXT = 3000

ACTION_SHARE = "mlrole_share"
ACTION_OPEN_PREFIX = "mlrole_open_"
ACTION_FEEDBACK_YES = "mlrole_feedback_yes"
ACTION_FEEDBACK_NO = "mlrole_feedback_no"
FEEDBACK_BLOCK_ID = "mlrole_feedback"
ACTION_ESCALATE = "mlrole_escalate"

ELLIPSIS = "…"

# --- user-facing wording ---------------------------------------------------------------------
T_HELP_TITLE = "mlrole: who does what in our ML team"
T_USAGE = (
    "Ask me about a role, a task or the difference between two roles:\n"
    "• `/mlrole devops` — what a DevOps engineer does\n"
    "• `/mlrole who owns model deployment?` — who is accountable for a task\n"
    "• `/mlrole data scientist vs ml engineer` — two roles side by side\n"
    "• `/mlrole matrix` — the RACI matrix (who is accountable, responsible, consulted, informed) as "
    "this channel's canvas\n"
    "You can also send me a direct message, or mention me in a channel and I'll answer in a thread. "
    "On any message, *⋯ → Who owns this?* asks me about it; in Workflow Builder, use the *Find the owner* step."
)
T_ROLES = "*The roles in our ML team*"
T_DID_YOU_MEAN = "*Did you mean…?*"
T_NOT_IT = "*Not it?* Perhaps one of these:"
T_EXAMPLES = "*For example:*"
T_RELATED = "Related"
T_WORKSPACE = "In this workspace"
T_SHARE = "Share in channel"
T_HELPFUL = "👍 Helpful"
T_NOT_HELPFUL = "👎 Not helpful"
T_THANKS = "Thanks for the feedback! It helps us improve the answers."
T_ASK_TEAM = "Ask the ML team"
T_SHARED_BY = "Shared by <@{user}>"
T_YOU_ASKED = "You asked: “{question}”"
T_WELCOME = ("Welcome to <#{channel}>, <@{user}>! :wave: Here is who does what in our ML team. "
             "Ask me anything with `/mlrole <role or question>`, or send me a direct message.")
T_WELCOME_FALLBACK = "Welcome! Ask me who does what with /mlrole <role or question>."
T_HOME_TITLE = "Who does what in our ML team"
T_HOME_INTRO = "Browse the roles and who owns each task. Ask me anything with `/mlrole` or in a direct message."
T_HOME_OWNERS = "Who owns what"
T_DETAILS = "Details"
T_MORE = "…and more: ask me with `/mlrole` to see the rest."
T_ERROR = "Sorry, something went wrong on my side while answering. Please try again in a moment."

_SLACK_ID = re.compile(r"^[A-Z0-9]{2,40}$")


# --- text helpers ----------------------------------------------------------------------------

def escape(text: str) -> str:
    """Escape Slack's control characters so echoed text never becomes a live mention or link."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near, ending with "…"."""
    text = str(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.8:
        cut = cut[:space]
    # never leave half an escape sequence like "&am" behind
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:] and len(cut) - amp <= 5:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS


def chunks(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Split text on line, then word boundaries into pieces of at most `limit` characters."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            piece = truncate(line, limit)[:-1]  # word-boundary cut, without the ellipsis
            piece = piece or line[:limit]
            if current:
                out.append(current)
                current = ""
            out.append(piece)
            line = line[len(piece):].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            out.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        out.append(current)
    return [c for c in out if c.strip()]


def _md(text: str, limit: int = MAX_SECTION_TEXT) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate(text, limit))


def _plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=truncate(text, limit) or " ", emoji=True)


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=_plain(text, MAX_BUTTON_TEXT), action_id=action_id,
                         value=value[:MAX_BUTTON_VALUE], style=style)


def _sections(text: str, budget: int | None = None) -> list[Block]:
    parts = chunks(text)
    if budget is not None and len(parts) > budget:
        parts = parts[:budget]
        parts[-1] = truncate(parts[-1], MAX_SECTION_TEXT - 1).removesuffix(ELLIPSIS) + ELLIPSIS
    return [SectionBlock(text=_md(p)) for p in parts]


def _context(*texts: str) -> ContextBlock:
    elements = [_md(t, MAX_CONTEXT_TEXT) for t in texts if t][:MAX_CONTEXT_ELEMENTS]
    return ContextBlock(elements=elements)


def _actions(buttons: Sequence[ButtonElement], block_id: str | None = None) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(buttons), MAX_ACTIONS_ELEMENTS):
        bid = block_id if block_id and start == 0 else None
        blocks.append(ActionsBlock(elements=list(buttons[start:start + MAX_ACTIONS_ELEMENTS]), block_id=bid))
    return blocks


def _fit(body: list[Block], tail: list[Block], limit: int) -> list[dict[str, Any]]:
    """Keep the tail (buttons) and as much of the body as fits, marking what was left out."""
    room = limit - len(tail)
    if len(body) > room:
        body = body[: room - 1] + [_context(T_MORE)]
    return [b.to_dict() for b in body + tail]


def entry_value(kind: str, entry_id: str, question: str | None = None) -> str:
    value = f"{kind}:{entry_id}"
    if question:  # escaped too: values are never shown, but no raw markup leaves the bot
        value += "\n" + escape(question[:1500])
    return truncate(value, MAX_BUTTON_VALUE)


def parse_value(value: str | None) -> tuple[str, str, str | None]:
    """`kind:id[\\nquestion]` → (kind, id, question)."""
    head, _, question = (value or "").partition("\n")
    kind, _, entry_id = head.partition(":")
    return kind, entry_id, (html.unescape(question) or None)


def fallback_text(answer: Answer) -> str:
    return truncate(escape(answer.text), MAX_FALLBACK_TEXT) or " "


# --- messages --------------------------------------------------------------------------------

def answer_key(answer: Answer) -> str:
    """How storage names an answer: `kind:id`, or `unanswered` when nothing matched."""
    return f"{answer.kind}:{answer.id}" if answer.answered else "unanswered"


def _feedback_buttons(answer: Answer) -> list[ButtonElement]:
    kind, _, entry_id = answer_key(answer).partition(":")
    value = entry_value(kind, entry_id, question=answer.question[:500] or None)
    return [_button(T_HELPFUL, ACTION_FEEDBACK_YES, value), _button(T_NOT_HELPFUL, ACTION_FEEDBACK_NO, value)]


def thanks_block() -> dict[str, Any]:
    return _context(T_THANKS).to_dict() | {"block_id": FEEDBACK_BLOCK_ID}


def smalltalk_blocks(answer: Answer, examples: Sequence[Answer] = ()) -> list[dict[str, Any]]:
    """A greeting, thanks or "what can you do?": the short reply, and example questions as buttons."""
    body: list[Block] = _sections(escape(answer.headline), budget=2)
    buttons = [_button(e.question, f"{ACTION_OPEN_PREFIX}example_{i}",
                       entry_value(e.kind or "", e.id or "", e.question))
               for i, e in enumerate(examples[:MAX_ACTIONS_ELEMENTS]) if e.answered]
    tail = [_context(T_EXAMPLES), *_actions(buttons)] if buttons else []
    return _fit(body, tail, MAX_MESSAGE_BLOCKS)


def _not_it(answer: Answer) -> list[Block]:
    """The *probably* band: the other candidates, one button each, opening that entry instead."""
    buttons = [_button(s.title, f"{ACTION_OPEN_PREFIX}not_it_{i}", entry_value(s.kind, s.id, answer.question[:500]))
               for i, s in enumerate(answer.suggestions[:MAX_ACTIONS_ELEMENTS])]
    return [_context(T_NOT_IT), *_actions(buttons)] if buttons else []


def answer_blocks(answer: Answer, *, shareable: bool = False, shared_by: str | None = None,
                  feedback: bool = True, escalate: bool = False,
                  examples: Sequence[Answer] = ()) -> list[dict[str, Any]]:
    """One answer as a message: a role card, a task's owner, or "did you mean…" when unsure.

    A *probably* answer says what it thinks was asked and offers the other candidates ("Not it?");
    small talk gets its short reply with `examples` as buttons; `escalate` (a triage channel is
    set): an abstention also offers "Ask the ML team".
    """
    if answer.kind == smalltalk.KIND:
        return smalltalk_blocks(answer, examples)
    body: list[Block] = []
    tail: list[Block] = []
    if answer.answered:
        if len(answer.headline) <= MAX_HEADER_TEXT:
            body.append(HeaderBlock(text=_plain(answer.headline, MAX_HEADER_TEXT)))
        elif answer.probably:  # "I think you're asking about …" must not be cut from the header
            body += _sections(f"*{escape(answer.headline)}*", budget=1)
        else:
            body.append(HeaderBlock(text=_plain(answer.title or answer.headline, MAX_HEADER_TEXT)))
        if shared_by and _SLACK_ID.match(shared_by):
            body.append(_context(T_SHARED_BY.format(user=shared_by)))
        for paragraph in answer.paragraphs:
            body += _sections(escape(paragraph), budget=5)
        facts = "\n".join(f"*{escape(label)}:* {escape(value)}" for label, value in answer.facts)
        if facts:
            body += _sections(facts, budget=5)
        points = "\n".join(f"• {escape(p)}" for p in answer.points)
        if points:
            body += _sections(points, budget=5)
        if answer.related:
            body.append(_context(f"*{T_RELATED}:*"))
            body += _actions([_button(r.title, f"{ACTION_OPEN_PREFIX}{i}", entry_value(r.kind, r.id))
                              for i, r in enumerate(answer.related[:MAX_ACTIONS_ELEMENTS])])
        if answer.contacts:
            body.append(_context(_whole_lines([f"*{T_WORKSPACE}:*"] + [contacts_mrkdwn(c) for c in answer.contacts],
                                              MAX_CONTEXT_TEXT)))
        elif answer.workspace_mentions:  # from the operator's org overlay: IDs checked on load
            body.append(_context(f"*{T_WORKSPACE}:* " + ", ".join(answer.workspace_mentions)))
        footer = []
        if answer.sources:
            footer.append("Sources: " + escape("; ".join(answer.sources)))
        footer += [escape(n) for n in answer.notes]
        if footer:
            body.append(_context(*footer))
        if answer.probably:
            tail += _not_it(answer)
        buttons = []
        if shareable:
            buttons.append(_button(T_SHARE, ACTION_SHARE, entry_value(answer.kind or "", answer.id or ""),
                                   style="primary"))
        if feedback:
            buttons += _feedback_buttons(answer)
        if buttons:
            tail += _actions(buttons, block_id=FEEDBACK_BLOCK_ID)
    else:
        body += _sections(escape(answer.headline), budget=2)
        if answer.question.strip():
            # plain text: the asker's *bold*, links and `code` are quoted, never rendered, in a public thread
            quoted = T_YOU_ASKED.format(question=truncate(escape(" ".join(answer.question.split())), 200))
            body.append(ContextBlock(elements=[PlainTextObject(text=quoted, emoji=False)]))
        if answer.suggestions:
            body.append(SectionBlock(text=_md(T_DID_YOU_MEAN)))
            body += _actions([_button(s.title, f"{ACTION_OPEN_PREFIX}{i}", entry_value(s.kind, s.id))
                              for i, s in enumerate(answer.suggestions[:MAX_ACTIONS_ELEMENTS])])
        for paragraph in answer.paragraphs:
            body += _sections(escape(paragraph), budget=2)
        if answer.notes:
            body.append(_context(*(escape(n) for n in answer.notes)))
        buttons = _feedback_buttons(answer) if feedback else []
        if escalate and answer.question.strip():
            buttons.append(_button(T_ASK_TEAM, ACTION_ESCALATE, _feedback_buttons(answer)[0].value or "",
                                   style="primary"))
        if buttons:
            tail += _actions(buttons, block_id=FEEDBACK_BLOCK_ID)
    return _fit(body, tail, MAX_MESSAGE_BLOCKS)


def contacts_mrkdwn(contacts: Contacts, label: bool = True) -> str:
    """`*ML Engineer* — <!subteam^S1>: Ana, Ben and 3 more · <#C1>`. Groups, channels and people
    named in the overlay are mentions (IDs checked on load); group members are plain names, so an
    answer never pings a whole team's members one by one."""
    items = []
    for group in contacts.groups:
        head = f"<!subteam^{group.id}>" if group.id else escape(f"@{group.handle}")
        names = group.member_names()
        items.append(f"{head}: {escape(names)}" if names else head)
    items += [c if c.startswith("#") else f"<#{c}>" for c in contacts.channels]
    items += [f"<@{u.id}>" for u in contacts.users]
    line = " · ".join(items)
    return f"*{escape(contacts.label())}* — {line}" if label else line


def _whole_lines(lines: list[str], limit: int) -> str:
    """As many whole lines as fit: a cut inside `<!subteam^…>` would show broken markup."""
    kept: list[str] = []
    for line in lines:
        if len("\n".join(kept + [line, ELLIPSIS])) > limit:
            return "\n".join(kept + [ELLIPSIS]) if kept else truncate(line, limit)
        kept.append(line)
    return "\n".join(kept)


def _role_lines(roles: Iterable[Any], summary_chars: int = 160) -> str:
    return "\n".join(f"• *{escape(r.title)}* — {escape(truncate(r.summary, summary_chars))}" for r in roles)


def help_blocks(answerer: Any) -> list[dict[str, Any]]:
    roles = list(answerer.kb.roles.values())
    body: list[Block] = [HeaderBlock(text=_plain(T_HELP_TITLE, MAX_HEADER_TEXT)),
                         SectionBlock(text=_md(T_USAGE)), DividerBlock(),
                         SectionBlock(text=_md(T_ROLES))]
    body += _sections(_role_lines(roles))
    tail = _actions([_button(r.title, f"{ACTION_OPEN_PREFIX}{i}", entry_value("role", r.id))
                     for i, r in enumerate(roles[:MAX_ACTIONS_ELEMENTS])])
    return _fit(body, tail, MAX_MESSAGE_BLOCKS)


def help_text(answerer: Any) -> str:
    titles = ", ".join(r.title for r in answerer.kb.roles.values())
    return truncate(escape(f"{T_HELP_TITLE}. Try /mlrole devops or /mlrole who owns model deployment? "
                           f"Roles: {titles}"), MAX_FALLBACK_TEXT)


def welcome_blocks(answerer: Any, user_id: str, channel_id: str) -> list[dict[str, Any]]:
    roles = list(answerer.kb.roles.values())
    user = user_id if _SLACK_ID.match(user_id or "") else ""
    channel = channel_id if _SLACK_ID.match(channel_id or "") else ""
    greeting = T_WELCOME.format(user=user, channel=channel)
    if not channel:  # never a half-formed "<#>" (Slack always sends IDs; this is for anything else)
        greeting = greeting.replace(" to <#>", "")
    if not user:
        greeting = greeting.replace(", <@>", "")
    body: list[Block] = [SectionBlock(text=_md(greeting))]
    body += _sections(_role_lines(roles, 120))
    tail = _actions([_button(r.title, f"{ACTION_OPEN_PREFIX}{i}", entry_value("role", r.id))
                     for i, r in enumerate(roles[:MAX_ACTIONS_ELEMENTS])])
    return _fit(body, tail, MAX_MESSAGE_BLOCKS)


def home_view(answerer: Any, extra: Sequence[Block] = ()) -> dict[str, Any]:
    """App Home: a directory of roles (with a details button each) and who owns each task.

    `extra` blocks (other surfaces' entry points) go under the intro."""
    kb = answerer.kb
    body: list[Block] = [HeaderBlock(text=_plain(T_HOME_TITLE, MAX_HEADER_TEXT)), _context(T_HOME_INTRO),
                         *extra, DividerBlock()]
    roles = list(kb.roles.values())
    contacts_of = getattr(answerer, "contacts", lambda role_ids: ())
    owners: list[Block] = [DividerBlock(), HeaderBlock(text=_plain(T_HOME_OWNERS, MAX_HEADER_TEXT))]
    by_stage: dict[str, list[str]] = {}
    for resp in kb.responsibilities.values():
        owner = kb.roles.get(resp.accountable)
        line = f"• {escape(resp.title)} → *{escape(owner.title if owner else resp.accountable)}*"
        by_stage.setdefault(getattr(resp, "stage", "") or "", []).append(line)
    stages = sorted(kb.stages.values(), key=lambda s: getattr(s, "order", 0))
    ordered = [(s.title, by_stage.pop(s.id, [])) for s in stages] + [("Other", v) for v in by_stage.values()]
    for title, lines in ordered:
        if lines:
            owners += _sections(f"*{escape(title)}*\n" + "\n".join(lines))
    role_blocks: list[Block] = []
    for i, role in enumerate(roles):
        people = [contacts_mrkdwn(c, label=False) for c in contacts_of((role.id,))]
        role_blocks.append(SectionBlock(
            text=_md(f"*{escape(role.title)}*\n{escape(truncate(role.summary, 400))}"
                     + (f"\n:busts_in_silhouette: {people[0]}" if people else "")),
            accessory=_button(T_DETAILS, f"{ACTION_OPEN_PREFIX}{i}", entry_value("role", role.id))))
    room = MAX_HOME_BLOCKS - len(body)
    if len(role_blocks) + len(owners) > room:  # a very large organisation: share the room, mark the cuts
        owner_room = max(room - len(role_blocks), room // 2)
        if len(owners) > owner_room:
            owners = owners[: owner_room - 1] + [_context(T_MORE)]
        role_room = room - len(owners)
        if len(role_blocks) > role_room:
            role_blocks = role_blocks[: role_room - 1] + [_context(T_MORE)]
    blocks = body + role_blocks + owners
    return View(type="home", blocks=blocks).to_dict()


def error_blocks() -> list[dict[str, Any]]:
    return [SectionBlock(text=_md(T_ERROR)).to_dict()]
