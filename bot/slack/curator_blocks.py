"""Block Kit for the curator loop: the 👎 follow-up, the triage post, the Answer modal, the DM, the digest.

Built with `slack_sdk.models` like the rest of the app. The triage post carries what the modal
needs in its button value (question, asker, where the question was asked, what the bot said), so
nothing about the asker is stored anywhere else: the post is the record.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ExternalDataSelectElement,
    HeaderBlock,
    InputBlock,
    Option,
    OptionGroup,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.freshness import Digest
from bot.slack.blocks import (
    ACTION_ESCALATE,
    MAX_BUTTON_VALUE,
    MAX_HEADER_TEXT,
    T_ASK_TEAM,
    _button,
    _context,
    _md,
    _plain,
    escape,
    truncate,
)
from bot.slack_ids import USER_ID

ACTION_REASON = "mlrole_escalate_reason"
ACTION_TRIAGE_ANSWER = "mlrole_triage_answer"
ACTION_ENTRY = "mlrole_triage_entry"
ACTION_ANSWER_TEXT = "mlrole_answer_text"
BLOCK_ESCALATE = "mlrole_escalate"
BLOCK_WHY = "mlrole_escalate_why"
BLOCK_TRIAGE = "mlrole_triage"
BLOCK_ENTRY = "mlrole_entry"
BLOCK_TEXT = "mlrole_text"
CALLBACK_ANSWER = "mlrole_triage_answer_modal"

MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_METADATA = 3000
MAX_VALUE_QUESTION = 700
MAX_CURATOR_TEXT = 2000

REASONS = {"wrong-owner": "Wrong owner", "outdated": "Outdated", "not-what-i-asked": "Not what I asked"}
KIND_LABELS = {"role": "Roles", "responsibility": "Who owns what", "stage": "Stages", "topic": "Topics",
               "comparison": "Comparisons"}

# --- user-facing wording ---------------------------------------------------------------------
T_WHY = "Thanks. What was wrong? (optional) — or ask a person:"
T_WHY_PLACEHOLDER = "Why? (optional)"
T_PASSED_ON = ("📨 Passed on to the ML team. You'll get their answer in a direct message from me.")
T_NOT_SET_UP = "Asking the ML team isn't set up in this workspace (MLROLE_TRIAGE_CHANNEL)."
T_NOT_PASSED_ON = "Sorry, I couldn't pass your question on just now. Please try again in a moment."
T_TRIAGE_TITLE = "Question for the ML team"
T_TRIAGE_FALLBACK = "Question for the ML team: “{question}”"
T_ASKED_BY = "*<@{user}> asked:*"
T_SOMEONE_ASKED = "*Someone asked:*"
T_BOT_ANSWERED = "mlrole answered: *{title}* (`{key}`)"
T_BOT_ABSTAINED = "mlrole did not know the answer"
T_REASON = "👎 {reason}"
T_ANSWER = "Answer"
T_RESOLVED = "✅ Resolved by <@{curator}>"
T_RESOLVED_WITH = "✅ Resolved by <@{curator}> with *{title}*"
T_MODAL_TITLE = "Answer the question"
T_MODAL_SUBMIT = "Send"
T_MODAL_CLOSE = "Cancel"
T_MODAL_ENTRY = "The entry that answers it"
T_MODAL_ENTRY_PLACEHOLDER = "Search roles, tasks, topics…"
T_MODAL_ENTRY_HINT = "Picking an entry also teaches mlrole: `mlrole kb learn` adds this question to its examples."
T_MODAL_TEXT = "Your answer (optional)"
T_MODAL_NOTE = "The asker gets your answer in a direct message."
E_NOTHING = "Pick the entry that answers the question, or write an answer below."
E_UNKNOWN_ENTRY = "That entry is no longer in the knowledge base; pick another."
E_TAKEN = "Someone else has already answered this question."
T_DM_INTRO = "The ML team answered your question:"
T_DM_FROM = "*<@{curator}>:* {text}"
T_DM_FALLBACK = "The ML team answered your question “{question}”"
T_DIGEST_TITLE = "mlrole weekly digest ({week})"
T_DIGEST_UNANSWERED = "*Most asked, not answered*"
T_DIGEST_DOWNVOTED = "*Answers people 👎*"
T_DIGEST_STALE = "*Not reviewed for a while*"
T_DIGEST_FALLBACK = "mlrole weekly digest: {n} unanswered, {d} 👎-ed, {s} stale"
T_DIGEST_EMPTY = "Nothing to review this week: no unanswered questions, no 👎, nothing stale."



@dataclass(frozen=True)
class Case:
    """One question passed to the ML team: what the triage post and the modal carry."""

    q: str  # the question (as the bot read it)
    u: str = ""  # the asker's user ID
    c: str = ""  # the conversation it was asked in (a DM channel lets the answer thread there)
    t: str = ""  # the bot's message in that conversation, to thread the answer under
    a: str = ""  # what the bot answered: "kind:id", or "" when it abstained
    title: str = ""  # that entry's title
    r: str = ""  # the 👎 reason, if one was picked
    ch: str = ""  # the triage post (filled in when a curator presses Answer)
    ts: str = ""

    def to_value(self, limit: int = MAX_BUTTON_VALUE) -> str:
        data = {k: v for k, v in asdict(self).items() if v}
        data["q"] = escape(self.q[:MAX_VALUE_QUESTION])
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        while len(text) > limit and len(data["q"]) > 20:  # escaping can grow the text: cut, re-check
            data["q"] = truncate(data["q"], len(data["q"]) - 50)
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return text

    @classmethod
    def from_value(cls, value: str | None) -> "Case | None":
        try:
            data = json.loads(value or "")
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("q"), str):
            return None
        fields = {k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__ and v is not None}
        fields["q"] = fields["q"].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return cls(**fields)

    @property
    def asker(self) -> str | None:
        return self.u if USER_ID.match(self.u) else None


# --- the asker's side ----------------------------------------------------------------------------

def not_helpful_blocks(value: str) -> list[dict[str, Any]]:
    """After a 👎: an optional reason and the button that asks a person."""
    reasons = StaticSelectElement(action_id=ACTION_REASON, placeholder=_plain(T_WHY_PLACEHOLDER, 150),
                                  options=[Option(value=k, label=v) for k, v in REASONS.items()])
    return [_context(T_WHY).to_dict() | {"block_id": BLOCK_WHY},
            ActionsBlock(block_id=BLOCK_ESCALATE,
                         elements=[reasons, _button(T_ASK_TEAM, ACTION_ESCALATE, value, style="primary")]).to_dict()]


def passed_on_block() -> dict[str, Any]:
    return _context(T_PASSED_ON).to_dict()


def picked_reason(body: dict) -> str:
    """The reason picked in the same message (Slack sends the message's select state with a press)."""
    values = ((body.get("state") or {}).get("values") or {})
    for block in values.values():
        chosen = ((block or {}).get(ACTION_REASON) or {}).get("selected_option") or {}
        if chosen.get("value") in REASONS:
            return chosen["value"]
    return ""


# --- the triage post ------------------------------------------------------------------------------

def _case_blocks(case: Case) -> list[Block]:
    asker = T_ASKED_BY.format(user=case.asker) if case.asker else T_SOMEONE_ASKED
    quoted = "\n".join(f"> {line}" for line in escape(truncate(case.q, 2500)).split("\n"))
    said = (T_BOT_ANSWERED.format(title=escape(case.title or case.a), key=escape(case.a)) if case.a
            else T_BOT_ABSTAINED)
    notes = [said] + ([T_REASON.format(reason=REASONS[case.r])] if case.r in REASONS else [])
    return [HeaderBlock(text=_plain(T_TRIAGE_TITLE, MAX_HEADER_TEXT)),
            SectionBlock(text=_md(f"{asker}\n{quoted}")), _context(*notes)]


def triage_blocks(case: Case) -> list[dict[str, Any]]:
    answer = _button(T_ANSWER, ACTION_TRIAGE_ANSWER, case.to_value(), style="primary")
    return [b.to_dict() for b in _case_blocks(case) + [ActionsBlock(block_id=BLOCK_TRIAGE, elements=[answer])]]


def triage_text(case: Case) -> str:
    return T_TRIAGE_FALLBACK.format(question=truncate(escape(case.q), 500))


def resolved_blocks(case: Case, curator: str, title: str | None) -> list[dict[str, Any]]:
    who = curator if USER_ID.match(curator or "") else "unknown"
    done = T_RESOLVED_WITH.format(curator=who, title=escape(title)) if title else T_RESOLVED.format(curator=who)
    return [b.to_dict() for b in _case_blocks(case) + [SectionBlock(text=_md(done))]]


# --- the modal ------------------------------------------------------------------------------------

def answer_modal(case: Case) -> dict[str, Any]:
    metadata = case.to_value(MAX_METADATA)
    entry = InputBlock(block_id=BLOCK_ENTRY, label=_plain(T_MODAL_ENTRY, 2000), optional=True,
                       hint=_plain(T_MODAL_ENTRY_HINT, 2000),
                       element=ExternalDataSelectElement(action_id=ACTION_ENTRY, min_query_length=0,
                                                         placeholder=_plain(T_MODAL_ENTRY_PLACEHOLDER, 150)))
    text = InputBlock(block_id=BLOCK_TEXT, label=_plain(T_MODAL_TEXT, 2000), optional=True,
                      element=PlainTextInputElement(action_id=ACTION_ANSWER_TEXT, multiline=True,
                                                    max_length=MAX_CURATOR_TEXT))
    blocks = _case_blocks(case)[1:] + [entry, text, _context(T_MODAL_NOTE)]
    return View(type="modal", callback_id=CALLBACK_ANSWER, title=_plain(T_MODAL_TITLE, 24),
                submit=_plain(T_MODAL_SUBMIT, 24), close=_plain(T_MODAL_CLOSE, 24),
                private_metadata=metadata, blocks=blocks).to_dict()


def entry_options(entries: list[Any]) -> list[dict[str, Any]]:
    """block_suggestion answer: the entries grouped by kind, at most 100 options."""
    groups: dict[str, list[Option]] = {}
    for entry in entries[:MAX_OPTIONS]:
        groups.setdefault(entry.kind, []).append(
            Option(value=f"{entry.kind}:{entry.id}"[:150], label=truncate(entry.title, MAX_OPTION_TEXT)))
    return [OptionGroup(label=truncate(KIND_LABELS.get(kind, kind), MAX_OPTION_TEXT), options=options).to_dict()
            for kind, options in groups.items()]


def submitted(view: dict) -> tuple[str | None, str]:
    """(`kind:id` picked or None, free text) from a view_submission's state."""
    values = ((view.get("state") or {}).get("values") or {})
    picked = (((values.get(BLOCK_ENTRY) or {}).get(ACTION_ENTRY) or {}).get("selected_option") or {})
    text = ((values.get(BLOCK_TEXT) or {}).get(ACTION_ANSWER_TEXT) or {}).get("value") or ""
    return picked.get("value") or None, str(text).strip()[:MAX_CURATOR_TEXT]


# --- the asker's DM -------------------------------------------------------------------------------

def answer_dm_blocks(case: Case, curator: str, text: str, card: list[dict[str, Any]]) -> list[dict[str, Any]]:
    quoted = "> " + escape(truncate(" ".join(case.q.split()), 500))
    blocks: list[dict[str, Any]] = [SectionBlock(text=_md(f"{T_DM_INTRO}\n{quoted}")).to_dict()]
    if text:
        who = curator if USER_ID.match(curator or "") else "unknown"
        blocks.append(SectionBlock(text=_md(T_DM_FROM.format(curator=who, text=escape(text)))).to_dict())
    return (blocks + card)[:50]


def answer_dm_text(case: Case) -> str:
    return T_DM_FALLBACK.format(question=truncate(escape(case.q), 500))


# --- the weekly digest ----------------------------------------------------------------------------

def digest_blocks(digest: Digest) -> list[dict[str, Any]]:
    blocks: list[Block] = [HeaderBlock(text=_plain(T_DIGEST_TITLE.format(week=digest.week), MAX_HEADER_TEXT))]
    if digest.empty:
        blocks.append(SectionBlock(text=_md(T_DIGEST_EMPTY)))
    if digest.unanswered:
        lines = [f"• {r.count}× “{escape(truncate(r.question, 200))}”" for r in digest.unanswered]
        blocks.append(SectionBlock(text=_md(T_DIGEST_UNANSWERED + "\n" + "\n".join(lines))))
    if digest.downvoted:
        lines = [f"• `{escape(r.answer_id)}` 👎 {r.not_helpful} · 👍 {r.helpful}" for r in digest.downvoted]
        blocks.append(SectionBlock(text=_md(T_DIGEST_DOWNVOTED + "\n" + "\n".join(lines))))
    if digest.stale:
        lines = [f"• `{e.kind}:{e.id}` reviewed {e.reviewed} ({e.age_days} days)"
                 + (f" — <@{e.curator}>" if e.curator and USER_ID.match(e.curator) else
                    f" — <!subteam^{e.curator}>" if e.curator else "")
                 for e in digest.stale]
        blocks.append(SectionBlock(text=_md(T_DIGEST_STALE + "\n" + "\n".join(lines))))
    return [b.to_dict() for b in blocks]


def digest_text(digest: Digest) -> str:
    return T_DIGEST_FALLBACK.format(n=len(digest.unanswered), d=len(digest.downvoted), s=len(digest.stale))
