"""Any string → blocks Slack accepts, inside its limits, with no live ping from user text.

The checks live in `bot.fuzz` (shared with the long run, `python -m bot.fuzz --examples 20000`).
No org overlay is configured here: its workspace contacts are the one place mentions are allowed.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import fuzz
from bot.slack import blocks as B
from bot.slack.ask import question_from

QUESTION, DIRECTORY = fuzz.strategies()
FAST = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _assert_clean(tally: fuzz.Tally) -> None:
    assert tally.exceptions == 0 and tally.violations == 0, tally.examples


@FAST
@given(text=QUESTION)
def test_any_question_gives_valid_blocks_within_limits(answerer, text):
    tally = fuzz.Tally()
    fuzz.check_question(answerer, text, tally)
    _assert_clean(tally)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(directory=DIRECTORY)
def test_any_knowledge_text_gives_valid_help_and_home(directory):
    tally = fuzz.Tally()
    fuzz.check_directory(*directory, tally)
    _assert_clean(tally)


def test_the_checker_is_not_vacuous():
    """block_problems does catch what it looks for."""
    ok = [{"type": "section", "text": {"type": "mrkdwn", "text": "fine"}}]
    assert fuzz.block_problems(ok) == []
    assert fuzz.block_problems([{"type": "section", "text": {"type": "mrkdwn", "text": "hi <!here>"}}])
    assert fuzz.block_problems([{"type": "section", "text": {"type": "mrkdwn", "text": "<@U123>"}}])
    assert fuzz.block_problems([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}])
    assert fuzz.block_problems([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}])
    assert fuzz.block_problems(ok * 51)
    button = {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "b"}, "value": "v" * 2001}
    assert fuzz.block_problems([{"type": "actions", "elements": [button]}])


def test_long_question_is_cut_before_matching_and_the_answer_says_so(answerer):
    raw = "who owns model deployment " + "please tell me " * 200  # ~3000 characters
    answer = answerer.ask(question_from(raw))
    assert answer.answered and answer.id == "model-deployment"
    text = str(B.answer_blocks(answer))
    assert "only its first 500 characters were read" in text


def test_control_bidi_and_zero_width_characters_are_stripped():
    q = question_from("who\u202e owns\u200b model\x00 deploy\u2066ment\x1b[31m?\ufeff")
    assert q.startswith("who owns model deployment")
    assert not any(c in q for c in "\u202e\u200b\x00\u2066\x1b\ufeff")


def test_slack_markup_in_echoed_text_is_neutralised(answerer):
    raw = "&lt;!channel&gt; <!here> <!subteam^S1|@ml> <@U999> &lt;@U1&gt; asdfgh qwerty"
    answer = answerer.ask(question_from(raw))
    assert not answer.answered
    blocks = B.answer_blocks(answer)
    assert fuzz.block_problems(blocks) == []
    assert "&lt;!channel&gt;" in str(blocks)  # shown as text, not as a ping


@FAST
@given(user=st.text(max_size=50), channel=st.text(max_size=50))
def test_welcome_blocks_take_only_real_ids(answerer, user, channel):
    blocks = B.welcome_blocks(answerer, user, channel)
    # the IDs come from Slack's event, and only ID-shaped ones are put into markup
    allowed = (f"<@{user}>",) if B._SLACK_ID.match(user) else ()
    assert fuzz.block_problems(blocks, allow_mentions=allowed) == []
    if not B._SLACK_ID.match(user):
        assert "<@" not in str(blocks)
    if not B._SLACK_ID.match(channel):
        assert "<#" not in str(blocks)
