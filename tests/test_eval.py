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


@pytest.mark.parametrize("name, accuracy, abstention", [
    ("questions.yaml", 0.90, 0.90),
    ("holdout.yaml", 0.85, 0.85),
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
