"""The core pieces behind the canvas and the Messages tab: the RACI markdown and the starter prompts."""

from __future__ import annotations

from dataclasses import replace

from bot.matrix import MATRIX_TITLE, matrix_markdown, matrix_roles
from bot.prompts import starter_prompts


def table_rows(markdown: str) -> list[list[str]]:
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in row.strip("|").split(" | ")] for row in rows]


def test_the_matrix_has_one_row_per_responsibility_with_exactly_one_owner(kb):
    markdown = matrix_markdown(kb)
    assert markdown.startswith(f"# {MATRIX_TITLE}\n")
    header, *rows = table_rows(markdown)
    assert header[:2] == ["Responsibility", "Stage"]
    assert header[2:] == [r.title for r in matrix_roles(kb)]
    assert len(rows) == len(kb.responsibilities)
    for row in rows:
        assert len(row) == len(header)
        assert sum("A" in cell.split("/") for cell in row[2:]) == 1, row
    for role in kb.roles.values():  # one line per role
        assert markdown.count(f"- **{role.title}**:") == 1


def test_the_matrix_follows_the_project_stages_in_order(kb):
    stages = [row[1] for row in table_rows(matrix_markdown(kb))[1:]]
    order = {s.title: s.order for s in kb.stages.values()}
    assert [order[s] for s in stages] == sorted(order[s] for s in stages)


def test_a_pipe_in_a_title_cannot_break_the_table(kb):
    resp = next(iter(kb.responsibilities.values()))
    kb.responsibilities[resp.id] = replace(resp, title="Pipes | and more")
    try:
        assert "| Pipes \\| and more |" in matrix_markdown(kb)
    finally:
        kb.responsibilities[resp.id] = resp


def test_starter_prompts_are_four_distinct_answerable_questions(kb, answerer):
    for seed in range(12):
        prompts = starter_prompts(kb, seed=seed)
        assert len(prompts) == 4 and len({p.message for p in prompts}) == 4
        for prompt in prompts:
            assert len(prompt.title) <= 50
            assert answerer.ask(prompt.message).answered, prompt


def test_prompts_rotate_with_the_seed(kb):
    assert starter_prompts(kb, seed=0) != starter_prompts(kb, seed=5)
