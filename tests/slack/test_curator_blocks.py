"""The curator loop's Block Kit: any question → posts, modal and DM inside Slack's limits, no live ping."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack import curator_blocks as cb
from bot.slack.blocks import answer_blocks
from bot.slack.curator_blocks import Case

FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000) | st.sampled_from(
    ["<!channel> hi", "<@U123> & <#C1|x> &amp;", "a" * 2500, "&" * 1500, "<" * 1200 + "!here>"])
LIVE = re.compile(r"<[!@#]")


def _limits(blocks: list[dict]) -> None:
    assert len(blocks) <= 50
    for block in blocks:
        text = (block.get("text") or {}).get("text", "")
        assert len(text) <= (150 if block["type"] == "header" else 3000)
        for element in block.get("elements", []):
            assert len(element.get("value", "")) <= 2000
            text = element.get("text") or ""
            assert len(text if isinstance(text, str) else text.get("text", "")) <= 2000


@FAST
@given(question=TEXT, user=st.sampled_from(["UALICE", "", "<!channel>", "U1 <!here>"]))
def test_any_question_makes_a_triage_post_and_modal_slack_accepts(question, user):
    case = Case(q=question, u=user, c="DALICE", t="1.2", a="role:ml-engineer", title="ML Engineer", r="outdated")
    posted = cb.triage_blocks(case)
    _limits(posted)
    shown = json.dumps([b for b in posted if b["type"] != "actions"], ensure_ascii=False)
    mentions = LIVE.findall(shown)
    assert mentions == (["<@"] if user == "UALICE" else [])  # the asker only, never a broadcast
    assert len(cb.triage_text(case)) <= 3000 and not LIVE.search(cb.triage_text(case))
    value = cb.Case.from_value(cb.triage_blocks(case)[-1]["elements"][0]["value"])
    assert value is not None and value.u == user and value.a == "role:ml-engineer"
    if len(question) <= 300:
        assert value.q == question  # the modal and the DM get the question exactly as asked
    modal = cb.answer_modal(Case(**{**value.__dict__, "ch": "CTRIAGE", "ts": "9.9"}))
    assert len(modal["private_metadata"]) <= 3000 and len(modal["blocks"]) <= 100
    dm = cb.answer_dm_blocks(value, "UCAROL", question[:2000], answer_blocks_for_dm())
    _limits(dm)
    assert LIVE.findall(json.dumps(dm, ensure_ascii=False)) == (["<@"] if question else [])  # the curator only


def answer_blocks_for_dm() -> list[dict]:
    from bot.answers import Answer

    return answer_blocks(Answer(question="q", answered=True, kind="role", id="x", title="X", headline="X"),
                         feedback=False)


def test_an_unreadable_case_value_is_none():
    for value in (None, "", "not json", "[]", '{"u": "U1"}', '{"q": 3}'):
        assert Case.from_value(value) is None
