"""Block Kit for issue 10: the *probably* band and small talk, inside Slack's limits."""

from __future__ import annotations

import json

from bot.answers import Answer, Related
from bot.matching import Candidate
from bot.slack import blocks
from tests.slack.test_slack_blocks import check_limits


def probably(headline: str, suggestions: int = 3) -> Answer:
    return Answer(question="the <!here> dashboards froze, who notices?", answered=True, kind="responsibility",
                  id="data-monitoring", title="Data monitoring", score=61.0, confidence="probably",
                  headline=headline, paragraphs=("Watching the data that feeds models.",),
                  related=(Related("role", "data-engineer", "Data Engineer"),),
                  suggestions=tuple(Candidate("responsibility", f"c{i}", f"Candidate {i}", 55.0 - i)
                                    for i in range(suggestions)))


def not_it_buttons(message_blocks: list[dict]) -> list[dict]:
    return [e for b in message_blocks if b["type"] == "actions" for e in b["elements"]
            if e["action_id"].startswith(f"{blocks.ACTION_OPEN_PREFIX}not_it_")]


def test_probably_band_has_its_headline_and_not_it_buttons():
    answer = probably("I think you're asking about data monitoring. Data monitoring is owned by the Data Engineer.")
    out = blocks.answer_blocks(answer, shareable=True)
    check_limits(out)
    assert out[0] == {"type": "header", "text": {"type": "plain_text", "text": answer.headline, "emoji": True}}
    buttons = not_it_buttons(out)
    assert [b["text"]["text"] for b in buttons] == ["Candidate 0", "Candidate 1", "Candidate 2"]
    assert blocks.parse_value(buttons[0]["value"])[:2] == ("responsibility", "c0")
    assert "<!here>" not in json.dumps(out)
    # the related role keeps its own button, and feedback stays last
    assert out[-1]["block_id"] == blocks.FEEDBACK_BLOCK_ID
    assert any(e["text"]["text"] == "Data Engineer" for b in out if b["type"] == "actions" for e in b["elements"])


def test_sure_answer_has_no_not_it_band():
    answer = Answer(**{**probably("Data monitoring is owned by the Data Engineer.").__dict__, "confidence": "sure"})
    out = blocks.answer_blocks(answer)
    assert not not_it_buttons(out) and "Not it?" not in json.dumps(out)


def test_a_long_probably_headline_is_kept_whole_and_the_band_survives_truncation():
    headline = "I think you're asking about " + "a very long entry title " * 10 + "."
    answer = probably(headline, suggestions=40)
    answer = Answer(**{**answer.__dict__, "paragraphs": tuple("word " * 2000 for _ in range(60))})
    out = blocks.answer_blocks(answer)
    check_limits(out)
    assert out[0]["type"] == "section" and out[0]["text"]["text"].startswith("*I think you're asking about")
    assert len(not_it_buttons(out)) == 25


def test_small_talk_is_its_reply_and_example_buttons_without_feedback():
    reply = Answer(question="hi <@U1>", answered=False, kind="smalltalk",
                   headline="Hi! I know who does what in our ML team. Try “who owns model deployment?”.")
    example = Answer(question="who owns model deployment?", answered=True, kind="responsibility",
                     id="model-deployment", title="Model deployment", confidence="sure")
    out = blocks.answer_blocks(reply, examples=[example])
    check_limits(out)
    assert out[0]["text"]["text"].startswith("Hi!")
    [button] = [e for b in out if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == "who owns model deployment?"
    assert blocks.parse_value(button["value"]) == ("responsibility", "model-deployment", "who owns model deployment?")
    assert blocks.FEEDBACK_BLOCK_ID not in json.dumps(out)
    check_limits(blocks.answer_blocks(reply))  # no examples: the reply alone
