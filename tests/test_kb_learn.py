"""`mlrole kb learn`: lessons into YAML, keeping each file as its author wrote it."""

from __future__ import annotations

import re
from pathlib import Path

from bot import kb_learn
from bot.kb_learn import dump, learn, plan, round_trip_yaml
from bot.knowledge import check_knowledge
from bot.lessons import Lesson
from bot.settings import default_knowledge_path


def lesson(question: str, kind: str = "responsibility", entry_id: str = "model-deployment", n: int = 1) -> Lesson:
    return Lesson(n, question, kind, entry_id, 0.0)


def test_every_bundled_file_round_trips_byte_for_byte():
    for path in sorted(default_knowledge_path().rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        yaml = round_trip_yaml(text)
        assert dump(yaml, yaml.load(text)) == text, path


def _without_examples(text: str) -> str:
    """The file as it was before entries had examples: the first lesson then adds the key."""
    return re.sub(r"^examples:\n(?:  - .*\n)+", "", text, flags=re.M)


def _strip_examples(root: Path) -> None:
    for path in root.rglob("*.yaml"):
        path.write_text(_without_examples(path.read_text(encoding="utf-8")), encoding="utf-8")


def test_an_example_goes_after_the_aliases_and_nothing_else_moves(kb_copy: Path):
    path = kb_copy / "responsibilities" / "model-deployment.yaml"
    original = "# owned by the platform guild\n" + _without_examples(path.read_text(encoding="utf-8")).replace(
        "detail: >-", "# the detail is shown to people\ndetail: >-")
    path.write_text(original, encoding="utf-8")
    result = learn(kb_copy, [lesson("how do I get my model: into prod?")])
    assert result.problems == [] and [o.status for o in result.outcomes] == ["added"]
    new = result.new_texts[path]
    assert new.startswith("# owned by the platform guild\n")
    assert "# the detail is shown to people\n" in new
    aliases_end = new.index("  - canary releases\n") + len("  - canary releases\n")
    assert new[aliases_end:].startswith("  - model deployment pipeline\nexamples:\n  - 'how do I get my model: into prod?'\n")
    removed = [line for line in result.diff().splitlines() if line.startswith("-") and not line.startswith("---")]
    assert removed == []
    assert path.read_text(encoding="utf-8") == original  # planning writes nothing
    kb_learn.apply(result)
    kb, problems = check_knowledge(kb_copy)
    assert problems == [] and "how do I get my model: into prod?" in kb.responsibilities["model-deployment"].examples


def test_existing_examples_are_appended_to_and_known_questions_skipped(kb_copy: Path):
    _strip_examples(kb_copy)
    path = kb_copy / "roles" / "devops-engineer.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "examples:\n  - who keeps the cluster up?\n", encoding="utf-8")
    result = learn(kb_copy, [lesson("who runs our CI runners?", "role", "devops-engineer", 1),
                             lesson("Who keeps the   cluster up?", "role", "devops-engineer", 2),
                             lesson("devops", "role", "devops-engineer", 3),
                             lesson("who runs our CI runners?", "role", "devops-engineer", 4)])
    assert [o.status for o in result.outcomes] == ["added", "known", "known", "known"]
    assert result.new_texts[path].endswith("examples:\n  - who keeps the cluster up?\n  - who runs our CI runners?\n")


def test_a_lesson_for_an_entry_that_is_gone_is_left_pending(kb_copy: Path):
    result = plan(kb_copy, [lesson("x?", "topic", "no-such-topic")])
    assert [o.status for o in result.outcomes] == ["missing"] and result.new_texts == {}


def test_a_lesson_that_moves_an_evaluation_answer_is_flagged(kb_copy: Path):
    """The flag works on answers, whatever the matcher: a fake one here reads the examples."""
    from bot.knowledge import load_knowledge

    def predictor(root: Path):
        kb = load_knowledge(root)
        taught = {q: e for e in kb.entries() for q in e.examples}

        def predict(question: str) -> dict:
            for example, entry in taught.items():
                if question.split()[0] in example:
                    return {"answered": True, "kind": entry.kind, "id": entry.id}
            return {"answered": False}
        return predict

    _strip_examples(kb_copy)
    result = learn(kb_copy, [lesson("who owns the data lake?", "responsibility", "data-pipelines", 7),
                             lesson("quarterly roadmap owner?", "responsibility", "ml-roadmap", 8)],
                   eval_questions=["who is on call?", "quarterly planning", "who owns the data lake?"],
                   predictor=predictor)
    flagged = [(lesson_.id, question, old, new) for lesson_, question, old, new in result.flagged]
    assert flagged == [(7, "who is on call?", "no answer", "responsibility:data-pipelines"),
                       (8, "quarterly planning", "no answer", "responsibility:ml-roadmap")]


def test_a_result_that_would_not_validate_is_not_written(kb_copy: Path):
    _strip_examples(kb_copy)
    path = kb_copy / "roles" / "devops-engineer.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "examples:\n", encoding="utf-8")  # empty: fills in place
    other = kb_copy / "roles" / "ml-engineer.yaml"
    other.write_text(other.read_text(encoding="utf-8").replace("id: ml-engineer", "id: ml-engineer\nbogus: 1"),
                     encoding="utf-8")
    result = learn(kb_copy, [lesson("who runs CI?", "role", "devops-engineer")])
    assert result.problems and "bogus" in str(result.problems[0])
    try:
        kb_learn.apply(result)
    except ValueError:
        pass
    else:
        raise AssertionError("apply wrote a knowledge base that does not validate")
    assert "who runs CI?" not in path.read_text(encoding="utf-8")
