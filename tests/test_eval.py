"""Answer quality on our own evaluation set of realistic questions (tests/eval/questions.yaml)."""

from __future__ import annotations

from bot.evaluation import evaluate, load_questions


def test_evaluation_set_is_realistic_and_large():
    questions = load_questions()
    answerable = [q for q in questions if q.answered]
    assert len(answerable) >= 150
    assert len(questions) - len(answerable) >= 25
    assert {q.kind for q in answerable} >= {"role", "responsibility", "comparison", "stage", "topic"}


def test_accuracy_and_abstention(answerer, capsys):
    report = evaluate(lambda q: answerer.ask(q).to_json(), load_questions())
    with capsys.disabled():
        print(f"\neval: accuracy {report.accuracy:.1%} on {report.answerable} answerable, "
              f"abstention {report.abstention:.1%} on {report.off_topic} off-topic; "
              + ", ".join(f"{k} {report.kind_accuracy(k):.0%}" for k in sorted(report.by_kind)))
    misses = "\n".join(f"{q.q!r} -> {got['kind']}:{got['id']}" for q, got in report.misses)
    assert report.accuracy >= 0.90, misses
    assert report.abstention >= 0.90, misses
