"""Block Kit stays inside Slack's limits whatever the answer looks like."""

from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.answers import Answer, Related
from bot.matching import Candidate
from bot.slack import blocks


def check_limits(message_blocks: list[dict], max_blocks: int = 50) -> None:
    assert 0 < len(message_blocks) <= max_blocks
    for raw in message_blocks:
        Block.parse(raw).validate_json()  # slack_sdk's own validation of each block
        if raw["type"] == "header":
            assert len(raw["text"]["text"]) <= 150
        if raw["type"] == "section":
            if "text" in raw:
                assert len(raw["text"]["text"]) <= 3000
        if raw["type"] == "actions":
            assert len(raw["elements"]) <= 25
            for el in raw["elements"]:
                assert len(el["text"]["text"]) <= 75
                assert len(el.get("value", "")) <= 2000
        if raw["type"] == "context":
            assert len(raw["elements"]) <= 10
    ids = [el["action_id"] for raw in message_blocks if raw["type"] == "actions" for el in raw["elements"]]
    for raw in message_blocks:
        if raw["type"] == "actions":
            own = [el["action_id"] for el in raw["elements"]]
            assert len(own) == len(set(own)), "action ids must be unique within a block"
    assert ids is not None


def giant_answer(answered: bool = True) -> Answer:
    big = "word " * 5000
    return Answer(
        question="<!channel> " + "q" * 20000, answered=answered, kind="role" if answered else None,
        id="x" * 300 if answered else None, title="T" * 400, score=88.0, headline="H" * 400,
        paragraphs=tuple(big for _ in range(30)), facts=tuple((f"L{i}", big) for i in range(40)),
        points=tuple(f"point {i} " + "p" * 900 for i in range(200)),
        related=tuple(Related("role", f"r{i}", "Role " * 40) for i in range(60)),
        sources=tuple("S" * 500 for _ in range(20)),
        suggestions=tuple(Candidate("role", f"c{i}", "Cand " * 30, 50.0) for i in range(40)),
        notes=tuple("N" * 3000 for _ in range(15)),
    )


@pytest.mark.parametrize("answered", [True, False])
def test_giant_answer_stays_within_limits(answered):
    out = blocks.answer_blocks(giant_answer(answered), shareable=True)
    check_limits(out)
    # the buttons people need survive truncation
    assert out[-1]["type"] == "actions" and out[-1]["block_id"] == blocks.FEEDBACK_BLOCK_ID
    assert "<!channel>" not in json.dumps(out)


def test_truncation_is_clean():
    text = "alpha beta gamma " * 400
    cut = blocks.truncate(text, 3000)
    assert len(cut) <= 3000 and cut.endswith("…") and not cut.endswith(" …")
    assert blocks.truncate("short", 10) == "short"
    assert not blocks.truncate("a &amp; b" * 10, 12).rstrip("…").endswith("&am")


def test_chunks_respect_the_limit_and_keep_everything():
    text = "\n".join(f"line {i} " + "w" * 50 for i in range(500))
    parts = blocks.chunks(text, 3000)
    assert all(len(p) <= 3000 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_escape_neutralises_slack_markup():
    assert blocks.escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"


def test_button_values_round_trip():
    value = blocks.entry_value("role", "ml-engineer", "who <owns> & more")
    assert blocks.parse_value(value) == ("role", "ml-engineer", "who <owns> & more")
    assert blocks.parse_value("role:devops-engineer") == ("role", "devops-engineer", None)


def test_role_card_shape(knowledge):
    answer = knowledge.answerer.ask("devops")
    out = blocks.answer_blocks(answer, shareable=True)
    check_limits(out)
    assert out[0]["type"] == "header" and out[0]["text"]["text"] == "DevOps Engineer"
    related = [b for b in out if b["type"] == "actions" and b["elements"][0]["action_id"].startswith("mlrole_open_")]
    assert related[0]["elements"][0]["value"] == "role:ml-engineer"


def test_did_you_mean_buttons_when_not_answered():
    answer = Answer(question="deploy thing", answered=False, headline="I don't know that one.",
                    suggestions=(Candidate("responsibility", "model-deployment", "Model deployment", 60.0),))
    out = blocks.answer_blocks(answer)
    check_limits(out)
    buttons = [e for b in out if b["type"] == "actions" for e in b["elements"]]
    assert buttons[0]["value"] == "responsibility:model-deployment"
    assert buttons[0]["action_id"] == "mlrole_open_0"
    assert "You asked: “deploy thing”" in json.dumps(out, ensure_ascii=False)


def test_help_welcome_and_home(knowledge):
    check_limits(blocks.help_blocks(knowledge.answerer))
    check_limits(blocks.welcome_blocks(knowledge.answerer, "U1", "C1"))
    view = blocks.home_view(knowledge.answerer)
    View(**view).validate_json()
    check_limits(view["blocks"], max_blocks=100)


class _Role:
    def __init__(self, i):
        self.id, self.title, self.summary = f"r{i}", f"Role {i}", "s " * 1000


class _Resp:
    def __init__(self, i):
        self.id, self.title, self.accountable, self.stage = f"t{i}", f"Task {i} " * 5, "r0", "st"


class _KB:
    roles = {f"r{i}": _Role(i) for i in range(150)}
    responsibilities = {f"t{i}": _Resp(i) for i in range(400)}
    stages: dict = {}


class _Answerer:
    kb = _KB()


def test_home_with_a_huge_organisation_stays_within_100_blocks():
    view = blocks.home_view(_Answerer())
    assert len(view["blocks"]) <= 100
    check_limits(view["blocks"], max_blocks=100)
    check_limits(blocks.help_blocks(_Answerer()))
    check_limits(blocks.welcome_blocks(_Answerer(), "U1", "C1"))


def bundled_answerer():
    from bot.answers import Answerer
    from bot.knowledge import check_knowledge
    from bot.settings import default_knowledge_path

    kb, problems = check_knowledge(default_knowledge_path())
    if kb is None:
        pytest.skip(f"the bundled knowledge base does not validate right now ({len(problems)} problems)")
    return Answerer(kb)


def test_every_entry_of_the_bundled_knowledge_base_renders_within_limits():
    answerer = bundled_answerer()
    kb = answerer.kb
    count = 0
    for kind, entries in (("role", kb.roles), ("responsibility", kb.responsibilities), ("stage", kb.stages),
                          ("topic", kb.topics), ("comparison", getattr(kb, "comparisons", {}))):
        for entry_id in entries:
            answer = answerer.answer_entry(kind, entry_id)
            check_limits(blocks.answer_blocks(answer, shareable=True))
            count += 1
    assert count > 10
    check_limits(blocks.home_view(answerer)["blocks"], max_blocks=100)
    check_limits(blocks.help_blocks(answerer))
    check_limits(blocks.welcome_blocks(answerer, "U1", "C1"))
    assert blocks.answer_blocks(answerer.ask("devops"))[0]["text"]["text"] == "DevOps Engineer"
