"""The bundled knowledge base keeps its promises, and the loader names file and line for every break."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, check_knowledge, load_knowledge

ROLES = ["data-scientist", "ml-engineer", "data-engineer", "data-labeler", "domain-expert",
         "devops-engineer", "ml-product-manager", "ml-researcher", "data-analyst", "app-developer"]

OWNERS = {
    "problem-formulation": ("data-scientist", ["domain-expert", "ml-product-manager"]),
    "prediction-objectives": ("domain-expert", ["data-scientist"]),
    "data-pipelines": ("data-engineer", []),
    "data-integration": ("data-engineer", []),
    "data-access": ("data-engineer", ["data-analyst"]),
    "data-monitoring": ("data-engineer", []),
    "labeling": ("data-labeler", []),
    "labeling-spec": ("data-analyst", ["data-labeler"]),
    "labeling-tools": ("data-labeler", []),
    "labeling-quality": ("data-labeler", []),
    "labeling-vendors": ("data-labeler", []),
    "feature-engineering": ("data-scientist", ["domain-expert"]),
    "model-development": ("data-scientist", ["ml-researcher"]),
    "model-handover": ("data-scientist", ["ml-engineer"]),
    "model-optimization": ("ml-engineer", []),
    "model-deployment": ("ml-engineer", ["devops-engineer"]),
    "model-serving": ("ml-engineer", ["app-developer"]),
    "model-monitoring": ("ml-engineer", ["devops-engineer", "data-scientist"]),
    "model-versioning": ("ml-engineer", []),
    "ab-testing": ("ml-engineer", ["data-scientist"]),
    "containerization": ("ml-engineer", ["devops-engineer"]),
    "production-infrastructure": ("devops-engineer", ["ml-engineer"]),
    "production-troubleshooting": ("data-scientist", ["ml-engineer"]),
    "model-refinement": ("data-scientist", ["ml-engineer"]),
    "prediction-apps": ("app-developer", ["ml-engineer"]),
    "business-insights": ("data-analyst", []),
    "ml-research": ("ml-researcher", []),
    "ml-roadmap": ("ml-product-manager", []),
}
TOPICS = ["lifecycle", "handover-contract", "team-approaches", "small-teams", "collaboration",
          "ds-to-mle", "hiring-data-scientists", "hiring-ml-engineers"]


def test_bundled_knowledge_has_every_fixed_id(kb):
    assert set(ROLES) <= set(kb.roles)
    assert set(TOPICS) <= set(kb.topics)
    for resp_id, (owner, involved) in OWNERS.items():
        resp = kb.responsibilities[resp_id]
        assert resp.accountable == owner, resp_id
        assert set(involved) <= set(resp.roles), resp_id
    assert kb.comparison_for("data-scientist", "ml-engineer") is not None


def test_every_entry_cites_a_known_source(kb):
    for entry in kb.entries():
        assert entry.sources, entry.id
        assert all(s in kb.sources for s in entry.sources), entry.id
    seeds = {s.file for s in kb.sources.values()}
    assert len(seeds) == 5


def test_roles_are_complete(kb):
    for role in kb.roles.values():
        assert role.aliases and role.summary and role.works_with and role.stages, role.id
    assert {"kafka", "airflow", "hadoop"} <= {t.lower() for t in kb.roles["data-engineer"].tools}
    assert {"docker", "kubernetes", "onnx"} <= {t.lower() for t in kb.roles["ml-engineer"].tools}


def _problems(root: Path) -> list[str]:
    kb, problems = check_knowledge(root)
    assert kb is None
    return [str(p) for p in problems]


def test_yaml_syntax_error_names_file_and_line(kb_copy):
    path = kb_copy / "roles" / "ml-engineer.yaml"
    lines = path.read_text().splitlines()
    lines[2] = "aliases: [mle, oops"
    path.write_text("\n".join(lines) + "\n")
    problems = _problems(kb_copy)
    assert len(problems) == 1
    assert problems[0].startswith("knowledge/roles/ml-engineer.yaml:")
    assert "YAML syntax error" in problems[0]


def test_dangling_reference_names_file_line_and_id(kb_copy):
    path = kb_copy / "responsibilities" / "model-deployment.yaml"
    text = path.read_text().replace("accountable: ml-engineer", "accountable: ml-enginer")
    path.write_text(text)
    line = text.splitlines().index("accountable: ml-enginer") + 1
    problems = _problems(kb_copy)
    assert any(p.startswith(f"knowledge/responsibilities/model-deployment.yaml:{line}:")
               and "unknown role 'ml-enginer'" in p and "model-deployment" in p for p in problems)


@pytest.mark.parametrize("edit, expected", [
    (lambda t: t + "colour: blue\n", "unknown key 'colour'"),
    (lambda t: t.replace("title:", "titel:", 1), "missing required field 'title'"),
    (lambda t: t + "summary: 3\n", "given twice"),
    (lambda t: t.replace("title: DevOps Engineer", "title: [1, 2]"), "'title' must be a non-empty string"),
    (lambda t: t.replace("id: devops-engineer", "id: DevOps"), "lowercase"),
])
def test_schema_breaks_are_reported(kb_copy, edit, expected):
    path = kb_copy / "roles" / "devops-engineer.yaml"
    path.write_text(edit(path.read_text()))
    problems = _problems(kb_copy)
    assert any(expected in p and p.startswith("knowledge/roles/devops-engineer.yaml:") for p in problems), problems


def test_duplicate_alias_across_entries_is_reported(kb_copy):
    path = kb_copy / "roles" / "data-analyst.yaml"
    text = path.read_text().replace("aliases:\n", "aliases:\n  - model deployment\n", 1)
    path.write_text(text)
    problems = _problems(kb_copy)
    assert any(p.startswith("knowledge/roles/data-analyst.yaml:") and "model deployment" in p
               and "model-deployment" in p for p in problems), problems


def test_duplicate_id_and_every_problem_listed(kb_copy):
    (kb_copy / "roles" / "copy.yaml").write_text((kb_copy / "roles" / "ml-engineer.yaml").read_text())
    (kb_copy / "topics" / "broken.yaml").write_text("- just\n- a list\n")
    problems = _problems(kb_copy)
    assert any("duplicate role id 'ml-engineer'" in p for p in problems)
    assert any(p.startswith("knowledge/topics/broken.yaml:1:") for p in problems)


def test_load_knowledge_raises_with_problems(kb_copy):
    (kb_copy / "sources.yaml").write_text("[")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_copy)
    assert "sources.yaml" in str(info.value)


def test_missing_folder_is_a_clear_problem(tmp_path):
    problems = _problems(tmp_path / "nowhere")
    assert "not a folder" in problems[0]
