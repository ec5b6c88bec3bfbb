"""Score any answering function on a labelled question set, so ours and baselines are measured alike."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

from bot import smalltalk

Prediction = dict[str, Any]  # {"answered": bool, "kind": str|None, "id": str|None, "roles": [..]}


@dataclass(frozen=True)
class Question:
    q: str
    answered: bool
    kind: str | None = None
    id: str | None = None
    owner: str | None = None
    roles: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()
    category: str | None = None
    """Set in the conversational sets: an ownership question there is right when the owner is."""

    def is_right(self, got: Prediction) -> bool:
        if not self.answered:
            if self.kind == smalltalk.KIND:
                return not got.get("answered") and got.get("kind") == smalltalk.KIND
            return not got.get("answered")
        if not got.get("answered") or got.get("kind") != self.kind:
            return False
        if self.kind == "comparison":
            return tuple(got.get("roles") or ())[:2] == self.roles
        owner_only = self.category is not None and self.kind == "responsibility" and self.owner
        if not owner_only and got.get("id") != self.id and got.get("id") not in self.accept:
            return False
        return not self.owner or (got.get("roles") or [None])[0] == self.owner

    @property
    def group(self) -> str:
        return self.category or (self.kind if self.answered else "off-topic") or "?"


@dataclass
class Report:
    total: int = 0
    answerable: int = 0
    right: int = 0
    off_topic: int = 0
    abstained: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    by_category: dict[str, list[int]] = field(default_factory=dict)
    misses: list[tuple[Question, Prediction]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.answerable if self.answerable else 0.0

    @property
    def abstention(self) -> float:
        return self.abstained / self.off_topic if self.off_topic else 0.0

    def kind_accuracy(self, kind: str) -> float:
        right, total = self.by_kind.get(kind, [0, 0])
        return right / total if total else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"questions": self.total, "accuracy": round(self.accuracy, 4),
                "abstention": round(self.abstention, 4),
                "by_kind": {k: round(self.kind_accuracy(k), 4) for k in sorted(self.by_kind)},
                "by_category": {k: [*v] for k, v in sorted(self.by_category.items())}}


def default_questions_path(checkout: Path | None = None, prefix: str | None = None) -> Path:
    """The working set: in the checkout's tests/eval, else the copy a plain (non-editable) install carries."""
    beside = (checkout or Path(__file__).resolve().parent.parent) / "tests" / "eval" / "questions.yaml"
    if beside.is_file():
        return beside
    installed = Path(prefix or sys.prefix) / "share" / "mlrole" / "eval" / "questions.yaml"
    return installed if installed.is_file() else beside


def load_questions(path: str | Path | None = None) -> list[Question]:
    rows = yaml.safe_load(Path(path or default_questions_path()).read_text(encoding="utf-8"))
    questions = []
    for row in rows:
        answered = row.get("answered", True)
        questions.append(Question(
            q=str(row["q"]), answered=answered, kind=row.get("kind"), id=row.get("id"),
            owner=row.get("owner"), roles=tuple(row.get("roles") or ()),
            accept=tuple(row.get("accept") or ()), category=row.get("category")))
    return questions


def evaluate(predict: Callable[[str], Prediction], questions: list[Question]) -> Report:
    report = Report()
    for question in questions:
        got = predict(question.q)
        ok = question.is_right(got)
        report.total += 1
        if question.answered:
            report.answerable += 1
            report.right += ok
            tally = report.by_kind.setdefault(question.kind or "?", [0, 0])
            tally[0] += ok
            tally[1] += 1
        else:
            report.off_topic += 1
            report.abstained += ok
        tally = report.by_category.setdefault(question.group, [0, 0])
        tally[0] += ok
        tally[1] += 1
        if not ok:
            report.misses.append((question, got))
    return report
