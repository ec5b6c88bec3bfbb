"""Answer quality on our own evaluation sets of realistic questions (tests/eval/).

`questions.yaml` is the working set: phrasings that failed get added there and fixed.
`holdout.yaml` was written separately, by someone who had not seen the knowledge base or the
matcher, and is not tuned on: it says how the bot does on questions nobody prepared it for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation import evaluate, load_questions

EVAL = Path(__file__).parent / "eval"


def test_evaluation_set_is_realistic_and_large():
    questions = load_questions(EVAL / "questions.yaml")
    answerable = [q for q in questions if q.answered]
    assert len(answerable) >= 150
    assert len(questions) - len(answerable) >= 25
    assert {q.kind for q in answerable} >= {"role", "responsibility", "comparison", "stage", "topic"}


def test_conversational_sets_are_blind_large_and_cover_every_category():
    tuning = load_questions(EVAL / "conversational.yaml")
    held_out = load_questions(EVAL / "conversational_holdout.yaml")
    assert len(tuning) + len(held_out) >= 300
    assert not {q.q for q in tuning} & {q.q for q in held_out}
    categories = {"owner", "owner-two-roles", "role", "comparison", "topic", "off-topic", "smalltalk",
                  "unknown-role"}
    assert {q.category for q in tuning} == categories == {q.category for q in held_out}


def test_every_example_in_the_knowledge_base_mostly_answers_its_own_entry(kb, answerer):
    """Examples are real questions for their entry; the matcher learns from them."""
    total, right, wrong = 0, 0, []
    for entry in kb.entries():
        for example in entry.examples:
            total += 1
            got = answerer.ask(example)
            same = (got.kind, got.id) == (entry.kind, entry.id) or (
                entry.kind == "comparison" and got.kind == "comparison" and set(got.roles) == set(entry.roles))
            right += same
            if not same:
                wrong.append(f"{entry.id}: {example!r} -> {got.kind}:{got.id}")
    assert total >= 500
    assert right / total >= 0.90, "\n".join(wrong)


# Floors just under what the current matcher measures (closing note of issue 10): a change that
# makes any set worse fails here. The conversational held-out half is only ever scored.
@pytest.mark.parametrize("name, accuracy, abstention", [
    ("questions.yaml", 0.97, 0.97),
    ("holdout.yaml", 0.97, 0.90),
    ("conversational.yaml", 0.955, 0.965),
    ("conversational_holdout.yaml", 0.95, 0.95),
])
def test_accuracy_and_abstention(answerer, capsys, name, accuracy, abstention):
    report = evaluate(lambda q: answerer.ask(q).to_json(), load_questions(EVAL / name))
    with capsys.disabled():
        print(f"\n{name}: accuracy {report.accuracy:.1%} on {report.answerable} answerable, "
              f"abstention {report.abstention:.1%} on {report.off_topic} off-topic; "
              + ", ".join(f"{k} {report.kind_accuracy(k):.0%}" for k in sorted(report.by_kind)))
    misses = "\n".join(f"{q.q!r} -> {got['kind']}:{got['id']}" for q, got in report.misses)
    assert report.accuracy >= accuracy, misses
    assert report.abstention >= abstention, misses
