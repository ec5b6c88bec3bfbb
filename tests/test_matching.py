"""What people really type reaches the right entry; what is not ours gets an honest 'I don't know'."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("question, kind, entry_id, first_role", [
    ("who owns model deployment?", "responsibility", "model-deployment", "ml-engineer"),
    ("devops", "role", "devops-engineer", "devops-engineer"),
    ("mle", "role", "ml-engineer", "ml-engineer"),
    ("what does an MLE do?", "role", "ml-engineer", "ml-engineer"),
    ("sre", "role", "devops-engineer", "devops-engineer"),
    ("who are the SMEs", "role", "domain-expert", "domain-expert"),
    ("data sceintist", "role", "data-scientist", "data-scientist"),
    ("DATA ENGINEERS", "role", "data-engineer", "data-engineer"),
    ("who writes the labeling guidelines?", "responsibility", "labeling-spec", "data-analyst"),
    ("hey bot, quick question: who ownes deploymnet of models?", "responsibility", "model-deployment",
     "ml-engineer"),
    ("who should I ask about ETL?", "responsibility", "data-pipelines", "data-engineer"),
    ("who is involved in deployment?", "stage", "deployment", None),
    ("what goes in the model handover contract?", "topic", "handover-contract", None),
    ("how do I hire an ML engineer?", "topic", "hiring-ml-engineers", None),
])
def test_questions_reach_the_right_entry(answerer, question, kind, entry_id, first_role):
    answer = answerer.ask(question)
    assert (answer.kind, answer.id) == (kind, entry_id), answer.to_json()
    if first_role:
        assert answer.roles[0] == first_role


@pytest.mark.parametrize("question, roles", [
    ("DS vs MLE", ("data-scientist", "ml-engineer")),
    ("mle vs ds", ("ml-engineer", "data-scientist")),
    ("difference between a data engineer and a data scientist", ("data-engineer", "data-scientist")),
    ("data analyst or data scientist?", ("data-analyst", "data-scientist")),
])
def test_comparisons_keep_the_order_asked(answerer, question, roles):
    answer = answerer.ask(question)
    assert answer.kind == "comparison"
    assert answer.roles == roles


def test_stored_comparison_is_used(answerer):
    answer = answerer.ask("data scientist vs machine learning engineer")
    assert answer.id == "data-scientist-vs-ml-engineer"
    assert answer.points


@pytest.mark.parametrize("question", [
    "who owns the coffee machine?", "what's the weather", "what's for lunch?", "asdfghjkl",
    "who approves my expense report?", "🎉🎉🎉", "¿dónde está el baño?", "", "   ",
])
def test_off_topic_abstains_with_suggestions_not_a_guess(answerer, question):
    answer = answerer.ask(question)
    assert not answer.answered
    assert answer.kind is None and answer.id is None
    assert "don't know" in answer.text or "Ask me" in answer.text


def test_near_miss_offers_did_you_mean(answerer):
    answer = answerer.ask("who owns the data?")
    if not answer.answered:
        assert answer.suggestions


def test_json_shape(answerer):
    data = answerer.ask("who owns model deployment?").to_json()
    assert set(data) >= {"question", "answered", "kind", "id", "title", "roles", "score", "text",
                         "suggestions"}
    assert data["roles"][:2] == ["ml-engineer", "devops-engineer"]
    assert 0 <= data["score"] <= 100


def test_long_question_is_cut_and_says_so(answerer):
    answer = answerer.ask("who owns model deployment? " + "blah " * 4000)
    assert "first 500 characters" in answer.text


def test_every_entry_answers_to_its_own_title(answerer, kb):
    wrong = []
    for entry in kb.entries():
        answer = answerer.ask(entry.title)
        if answer.id != entry.id:
            wrong.append((entry.title, answer.id))
    assert not wrong
