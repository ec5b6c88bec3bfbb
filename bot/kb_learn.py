"""`mlrole kb learn`: pending lessons into the knowledge base's YAML files, as `examples:`.

The knowledge base stays a set of reviewed files in git: this writes the smallest edit (one
`examples:` item per lesson, round-trip YAML keeping comments, key order, quoting and layout),
validates the result as a whole, and shows the diff. The curator reviews and commits it.
"""

from __future__ import annotations

import asyncio
import difflib
import io
import logging
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from bot.knowledge import Problem, check_knowledge
from bot.knowledge.loader import FOLDERS
from bot.lessons import Lesson, LessonsError, lesson_text
from bot.settings import Settings, knowledge_path
from bot.storage.base import question_key

Predict = Callable[[str], dict[str, Any]]


def round_trip_yaml(text: str | None = None) -> YAML:
    """Round-trip YAML laid out like `text` (default: the knowledge base's `  - item` lists);
    long lines are never re-wrapped."""
    sequence, offset = 4, 2
    if text is not None:
        try:
            _, guessed, block_offset = load_yaml_guess_indent(text)
        except Exception:  # noqa: BLE001 - the loader reports broken YAML; keep the default layout
            guessed, block_offset = None, None
        if guessed:
            sequence, offset = guessed, block_offset if block_offset is not None else 0
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    return yaml


def dump(yaml: YAML, data: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


@dataclass
class Outcome:
    lesson: Lesson
    status: str  # "added" | "known" (already an example or alias) | "missing" (no such entry)
    file: str | None = None


@dataclass
class Plan:
    root: Path
    outcomes: list[Outcome] = field(default_factory=list)
    new_texts: dict[Path, str] = field(default_factory=dict)  # file → its new content
    old_texts: dict[Path, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    flagged: list[tuple[Lesson, str, str, str]] = field(default_factory=list)  # lesson, question, before, after

    @property
    def added(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "added"]

    def diff(self) -> str:
        out: list[str] = []
        for path, new in self.new_texts.items():
            rel = path.relative_to(self.root.parent) if self.root.parent in path.parents else path
            out += difflib.unified_diff(self.old_texts[path].splitlines(keepends=True),
                                        new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}")
        return "".join(out)


def entry_file(root: Path, kind: str, entry_id: str) -> Path | None:
    folder = FOLDERS.get(kind)
    if folder is None:
        return None
    for suffix in (".yaml", ".yml"):
        path = root / folder / f"{entry_id}{suffix}"
        if path.is_file():
            return path
    return None


def _known(data: CommentedMap, text: str) -> bool:
    key = question_key(text)
    phrases = [data.get("title") or ""] + list(data.get("aliases") or []) + list(data.get("examples") or [])
    return any(isinstance(p, str) and question_key(p) == key for p in phrases)


def _add_example(data: CommentedMap, text: str) -> None:
    examples = data.get("examples")
    if isinstance(examples, list):
        examples.append(text)
        return
    seq = CommentedSeq([text])
    keys = list(data.keys())
    position = keys.index("aliases") + 1 if "aliases" in keys else len(keys)
    if "examples" in keys:  # present but empty (`examples:`): fill it where it stands
        data["examples"] = seq
    else:
        data.insert(position, "examples", seq)
        if position:
            _keep_comments_with_the_next_key(data[keys[position - 1]], seq)


def _keep_comments_with_the_next_key(before: Any, inserted: CommentedSeq) -> None:
    """ruamel hangs comment lines above a key on the last item of the list before it; once the
    new list goes between them, those lines move to its end so they stay above their key."""
    if not isinstance(before, CommentedSeq) or not len(before):
        return
    slot = before.ca.items.get(len(before) - 1)
    if not slot or slot[0] is None:
        return
    token = slot[0]
    own, _, following = token.value.partition("\n")
    if not following:
        return
    token.value = own + "\n"
    inserted.ca.items[len(inserted) - 1] = [CommentToken("\n" + following, token.start_mark, None),
                                            None, None, None]


def plan(root: Path, lessons: Iterable[Lesson]) -> Plan:
    """Work out every file edit for these lessons, in memory; nothing is written."""
    result = Plan(root)
    loaded: dict[Path, CommentedMap] = {}
    layouts: dict[Path, YAML] = {}
    for lesson in lessons:
        path = entry_file(root, lesson.kind, lesson.entry_id)
        if path is None:
            result.outcomes.append(Outcome(lesson, "missing"))
            continue
        if path not in loaded:
            text = path.read_text(encoding="utf-8")
            result.old_texts[path] = text
            layouts[path] = round_trip_yaml(text)
            loaded[path] = layouts[path].load(text)
        data, rel = loaded[path], str(path.relative_to(root.parent))
        question = lesson_text(lesson.question)
        if not isinstance(data, CommentedMap) or _known(data, question) or not question:
            result.outcomes.append(Outcome(lesson, "known", rel))
            continue
        _add_example(data, question)
        result.outcomes.append(Outcome(lesson, "added", rel))
    for path, data in loaded.items():
        new = dump(layouts[path], data)
        if new != result.old_texts[path]:
            result.new_texts[path] = new
    return result


def _write(plan_: Plan, root: Path) -> None:
    for path, text in plan_.new_texts.items():
        (root / path.relative_to(plan_.root)).write_text(text, encoding="utf-8")


def default_eval_paths() -> list[Path]:
    folder = Path(__file__).resolve().parent.parent / "tests" / "eval"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def _predictor(path: Path) -> Predict:
    from bot.live import load_answerer

    answerer, problems = load_answerer(path)
    if answerer is None:
        raise ValueError(f"{path}: {problems[0]}")
    return lambda q: answerer.ask(q).to_json()


def _said(got: dict[str, Any]) -> str:
    return f"{got.get('kind')}:{got.get('id')}" if got.get("answered") else "no answer"


def eval_changes(before: Predict, after: Predict, questions: list[str],
                 own: set[str]) -> list[tuple[str, str, str]]:
    """Evaluation questions (other than the lessons' own) answered differently after the edit."""
    changed = []
    for q in questions:
        if question_key(q) in own:
            continue
        old, new = _said(before(q)), _said(after(q))
        if old != new:
            changed.append((q, old, new))
    return changed


def flag(plan_: Plan, questions: list[str], predictor: Callable[[Path], Predict] = _predictor) -> None:
    """Flag the lessons that change another evaluation question's answer.

    All lessons are tried together first (one extra matcher); only if something moved is each
    lesson tried alone, to name the one responsible.
    """
    added = plan_.added
    if not added or not questions:
        return
    own = {question_key(o.lesson.question) for o in added}
    before = predictor(plan_.root)
    with tempfile.TemporaryDirectory(prefix="mlrole-learn-") as tmp:
        copy = Path(tmp) / plan_.root.name
        shutil.copytree(plan_.root, copy)
        _write(plan_, copy)
        if not eval_changes(before, predictor(copy), questions, own):
            return
    for outcome in added:
        single = plan(plan_.root, [outcome.lesson])
        with tempfile.TemporaryDirectory(prefix="mlrole-learn-") as tmp:
            copy = Path(tmp) / plan_.root.name
            shutil.copytree(plan_.root, copy)
            _write(single, copy)
            for q, old, new in eval_changes(before, predictor(copy), questions, own):
                plan_.flagged.append((outcome.lesson, q, old, new))


def validate(plan_: Plan) -> None:
    """The whole knowledge base, as it would be after the edit, must load cleanly."""
    with tempfile.TemporaryDirectory(prefix="mlrole-learn-") as tmp:
        copy = Path(tmp) / plan_.root.name
        shutil.copytree(plan_.root, copy)
        _write(plan_, copy)
        _, problems = check_knowledge(copy)
    plan_.problems = [Problem(p.file, p.line, p.message) for p in problems]


def learn(root: Path, lessons: list[Lesson], eval_questions: list[str] | None = None,
          predictor: Callable[[Path], Predict] = _predictor) -> Plan:
    """Plan, validate and flag; the caller decides whether to write (`apply`)."""
    result = plan(root, lessons)
    if result.new_texts:
        validate(result)
        if not result.problems:
            flag(result, eval_questions or [], predictor)
    return result


def apply(plan_: Plan) -> None:
    if plan_.problems:
        raise ValueError("the knowledge base would not validate; nothing written")
    _write(plan_, plan_.root)


def _eval_questions(paths: list[Path]) -> list[str]:
    from bot.evaluation import load_questions

    questions: list[str] = []
    for path in paths:
        questions += [q.q for q in load_questions(path)]
    return questions


def run_learn(knowledge: str | None, do_apply: bool = False, eval_paths: list[str] | None = None) -> int:
    """`mlrole kb learn [--apply]`: print the diff (and flags); with --apply write it and mark done."""
    from bot.lessons import mark_applied, read_pending

    logging.getLogger("bot.storage").setLevel(logging.ERROR)
    settings = Settings.from_env()
    root = knowledge_path(knowledge)
    try:
        pending = asyncio.run(read_pending(settings))
    except LessonsError as exc:
        print(f"mlrole kb learn: {exc}", file=sys.stderr)
        return 1
    if not pending:
        print("No pending lessons.")
        return 0
    paths = [Path(p) for p in eval_paths] if eval_paths else default_eval_paths()
    result = learn(root, pending, _eval_questions(paths))
    diff = result.diff()
    if diff:
        sys.stdout.write(diff)
    for outcome in result.outcomes:
        lesson = outcome.lesson
        if outcome.status == "missing":
            print(f"lesson {lesson.id}: no {lesson.kind} '{lesson.entry_id}' in {root} any more; "
                  f"left pending", file=sys.stderr)
        elif outcome.status == "known":
            print(f"lesson {lesson.id}: “{lesson.question}” is already known to {lesson.entry_key}")
    for lesson, question, old, new in result.flagged:
        print(f"FLAG lesson {lesson.id} ({lesson.entry_key}): evaluation question “{question}” "
              f"would change from {old} to {new}", file=sys.stderr)
    if result.problems:
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        print(f"mlrole kb learn: the knowledge base would not validate ({len(result.problems)} "
              f"problem(s)); nothing written", file=sys.stderr)
        return 1
    if not do_apply:
        print(f"{len(result.added)} example(s) to add to {len(result.new_texts)} file(s); "
              f"run `mlrole kb learn --apply` to write them", file=sys.stderr)
        return 0
    apply(result)
    done = [o.lesson.id for o in result.outcomes if o.status in ("added", "known")]
    try:
        asyncio.run(mark_applied(settings, done))
    except LessonsError as exc:
        print(f"mlrole kb learn: files written, but lessons not marked applied: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(result.added)} example(s) to {len(result.new_texts)} file(s) in {root}; "
          f"{root} validates. Review with `git diff` and commit."
          + (f" {len(result.flagged)} flag(s) above." if result.flagged else ""), file=sys.stderr)
    return 0
