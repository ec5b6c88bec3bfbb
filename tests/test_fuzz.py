"""Any string in, a valid answer out: properties that must hold for every input."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.text import clean_user_text, match_key, normalise

PHRASES = st.sampled_from(["who owns", "model deployment", "mle", "vs", "data", "<!here>", "<@U1>",
                           "&lt;", "🤖", "\u202e", "\x00", " or ", "difference between", "stage"])
QUESTIONS = st.one_of(st.text(max_size=300), st.lists(PHRASES, max_size=12).map(" ".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTIONS)
def test_any_question_gets_a_well_formed_answer(answerer, question):
    answer = answerer.ask(question)
    data = json.loads(json.dumps(answer.to_json()))
    assert data["answered"] == (data["kind"] not in (None, "smalltalk"))
    assert 0 <= data["score"] <= 100
    assert data["text"]
    if data["answered"]:
        assert data["roles"] or data["kind"] == "topic"


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=2000))
def test_normalisers_are_total_and_bounded(text):
    cleaned = clean_user_text(text, 500)
    assert len(cleaned) <= 500
    assert not any(ch in cleaned for ch in "\x00\u202e\u200b")
    assert normalise(text) == normalise(text).strip()
    assert set(match_key(text)) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")
