"""Load a knowledge base folder into the frozen model, or report every problem in it.

Validation is all-or-nothing on purpose: a running bot swaps in a new version only when the whole
folder is clean, so a half-finished edit can never reach users.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from bot.knowledge.files import FileRefused, describe, read_text
from bot.knowledge.model import (
    Comparison,
    KnowledgeBase,
    Responsibility,
    Role,
    Source,
    Stage,
    Topic,
)
from bot.knowledge.yaml_lines import LineDict, LineList, YamlSyntaxError, load_yaml
from bot.slack_ids import GROUP_ID, USER_ID
from bot.text import match_key

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""A Slack member ID (U…/W…) or user group ID (S…): who keeps an entry up to date."""

FOLDERS = {
    "role": "roles",
    "responsibility": "responsibilities",
    "stage": "stages",
    "topic": "topics",
    "comparison": "comparisons",
}

# field -> (required, type); types: str, int, date, slack-id, list (of str), ref:<kind>, refs:<kind>
_COMMON = {"id": (True, "str"), "title": (True, "str"), "aliases": (True, "list"),
           "sources": (True, "refs:source"), "examples": (False, "list"),
           "reviewed": (False, "date"), "curator": (False, "slack-id")}
SCHEMAS: dict[str, dict[str, tuple[bool, str]]] = {
    "role": {**_COMMON, "summary": (True, "str"), "responsibilities": (True, "refs:responsibility"),
             "skills": (True, "list"), "tools": (True, "list"), "works_with": (True, "refs:role"),
             "stages": (True, "refs:stage")},
    "responsibility": {**_COMMON, "detail": (True, "str"), "stage": (True, "ref:stage"),
                       "accountable": (True, "ref:role"), "responsible": (False, "refs:role"),
                       "consulted": (False, "refs:role"), "informed": (False, "refs:role")},
    "stage": {**_COMMON, "order": (True, "int"), "summary": (True, "str")},
    "topic": {**_COMMON, "summary": (True, "str"), "points": (False, "list"),
              "roles": (False, "refs:role"), "stage": (False, "ref:stage")},
    "comparison": {**_COMMON, "roles": (True, "refs:role"), "summary": (True, "str"),
                   "points": (False, "list")},
}
_SOURCE_SCHEMA = {"id": (True, "str"), "title": (True, "str"), "file": (True, "str")}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base has problems; `problems` lists each with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class _Raw:
    kind: str
    file: str
    data: LineDict
    mtime: float = 0.0


class _Collector:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        """Relative to the current folder when inside it, else absolute: either way a clickable path."""
        absolute = path.absolute()
        try:
            return str(absolute.relative_to(Path.cwd()))
        except ValueError:
            return str(absolute)

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))


def _read(path: Path, out: _Collector) -> Any:
    rel = out.rel(path)
    try:
        text = read_text(path, out.root)
    except UnicodeDecodeError as exc:
        out.add(rel, 1, f"not UTF-8 text ({exc.reason})")
        return None
    except FileRefused as exc:
        out.add(rel, 1, str(exc))
        return None
    try:
        data, duplicates = load_yaml(text)
    except YamlSyntaxError as exc:
        out.add(rel, exc.line, exc.message)
        return None
    for line, key in duplicates:
        out.add(rel, line, f"key '{key}' given twice")
    if data is None:
        out.add(rel, 1, "empty (nothing but comments or blank lines): write the entry, or delete the file")
    return data


def _check_fields(data: LineDict, schema: dict[str, tuple[bool, str]], file: str,
                  out: _Collector) -> bool:
    ok = True
    for key in data:
        if key not in schema:
            known = ", ".join(schema)
            out.add(file, data.line_of(str(key)), f"unknown key '{str(key)[:80]}' (expected one of: {known})")
            ok = False
    for key, (required, kind) in schema.items():
        if key not in data or data[key] is None:
            if required:
                out.add(file, data.line, f"missing required field '{key}'")
                ok = False
            continue
        value, line = data[key], data.line_of(key)
        if kind == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                out.add(file, line, f"'{key}' must be a whole number, not {type(value).__name__}")
                ok = False
        elif kind == "date":
            if as_date(value) is None:
                out.add(file, line, f"'{key}' must be a date written YYYY-MM-DD, not {describe(value)}")
                ok = False
        elif kind == "slack-id":
            if not isinstance(value, str) or not (USER_ID.match(value.strip()) or GROUP_ID.match(value.strip())):
                out.add(file, line, f"'{key}' must be a Slack member ID (U…/W…) or user group ID (S…), "
                                    f"not {describe(value)}")
                ok = False
        elif kind in ("str",) or kind.startswith("ref:"):
            if not isinstance(value, str) or not value.strip():
                out.add(file, line, f"'{key}' must be a non-empty string, not {describe(value)}")
                ok = False
        else:
            if not isinstance(value, list):
                out.add(file, line, f"'{key}' must be a list of strings, not {describe(value)}")
                ok = False
                continue
            for i, item in enumerate(value):
                if not isinstance(item, str) or not item.strip():
                    item_line = value.line_of(i) if isinstance(value, LineList) else line
                    out.add(file, item_line,
                            f"'{key}' item {i + 1} must be a non-empty string, not {describe(item)}")
                    ok = False
    return ok


def as_date(value: Any) -> date | None:
    """`reviewed:` as YAML gives it: a date (unquoted YYYY-MM-DD) or the same text quoted."""
    if isinstance(value, datetime):
        return None  # a time of day was given: ask for the plain date
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _load_sources(root: Path, out: _Collector) -> dict[str, Source]:
    path = root / "sources.yaml"
    rel = out.rel(path)
    if not path.exists():
        out.add(rel, 1, "missing: every knowledge base lists the documents it cites here")
        return {}
    data = _read(path, out)
    if data is None:
        return {}
    if not isinstance(data, list):
        out.add(rel, 1, "must be a list of sources (id, title, file)")
        return {}
    sources: dict[str, Source] = {}
    for i, item in enumerate(data):
        if not isinstance(item, LineDict):
            out.add(rel, data.line_of(i), "each source must be a mapping with id, title, file")
            continue
        if not _check_fields(item, _SOURCE_SCHEMA, rel, out):
            continue
        if item["id"] in sources:
            out.add(rel, item.line_of("id"), f"duplicate source id '{item['id']}'")
            continue
        sources[item["id"]] = Source(item["id"], item["title"].strip(), item["file"])
    return sources


def _collect_entries(root: Path, out: _Collector, unreadable: dict[str, set[str]]) -> list[_Raw]:
    """Parse every entry file; the ids of files too broken to read go to `unreadable`."""
    raws: list[_Raw] = []
    for kind, folder in FOLDERS.items():
        directory = root / folder
        if not directory.is_dir():
            if kind in ("role", "responsibility"):
                out.add(out.rel(directory), 1, f"missing folder '{folder}/'")
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
                continue
            rel = out.rel(path)
            try:
                data = _read(path, out)
            except Exception as exc:  # noqa: BLE001 - one odd file is a problem to report, not a crash
                out.add(rel, 1, f"could not be read ({type(exc).__name__})")
                data = None
            if data is None or not isinstance(data, LineDict) or not isinstance(data.get("id"), str):
                unreadable.setdefault(kind, set()).add(path.stem)
            if data is None:
                continue
            if not isinstance(data, LineDict):
                out.add(rel, 1, f"a {kind} file holds one mapping (id, title, …), not {describe(data)}")
                continue
            if not _check_fields(data, SCHEMAS[kind], rel, out):
                unreadable.setdefault(kind, set()).add(path.stem)
                continue
            entry_id = data["id"]
            if not ID_PATTERN.match(entry_id):
                out.add(rel, data.line_of("id"),
                        f"id '{entry_id}' must be lowercase letters and digits joined by hyphens")
                continue
            if path.stem != entry_id:
                out.add(rel, data.line_of("id"), f"id '{entry_id}' does not match the file name '{path.stem}'")
            try:
                mtime = path.stat().st_mtime
            except OSError:
                mtime = 0.0
            raws.append(_Raw(kind, rel, data, mtime))
    return raws


def _check_references(raws: list[_Raw], ids: dict[str, set[str]], out: _Collector) -> None:
    for raw in raws:
        for key, (_, kind) in SCHEMAS[raw.kind].items():
            if not kind.startswith("ref") or key not in raw.data or raw.data[key] is None:
                continue
            target = kind.split(":", 1)[1]
            value = raw.data[key]
            items = [(value, raw.data.line_of(key))] if isinstance(value, str) else [
                (v, value.line_of(i)) for i, v in enumerate(value)]
            for ref, line in items:
                if ref not in ids[target]:
                    out.add(raw.file, line, f"{raw.kind} '{raw.data['id']}': '{key}' refers to unknown "
                                            f"{target} '{ref}'")


def _check_rules(raws: list[_Raw], out: _Collector) -> None:
    by_kind: dict[str, dict[str, _Raw]] = {kind: {} for kind in FOLDERS}
    for raw in raws:
        by_kind[raw.kind][raw.data["id"]] = raw
    for raw in by_kind["role"].values():
        role_id = raw.data["id"]
        resps = raw.data["responsibilities"]
        for i, resp_id in enumerate(resps):
            resp = by_kind["responsibility"].get(resp_id)
            if resp is None:
                continue
            raci = [resp.data["accountable"], *(resp.data.get(p) or [] for p in
                                                ("responsible", "consulted", "informed"))]
            parts = {resp.data["accountable"]} | {r for group in raci[1:] for r in group}
            if role_id not in parts:
                out.add(raw.file, resps.line_of(i), f"role '{role_id}' lists '{resp_id}' but has no "
                                                    f"part in it (add the role to its RACI or drop it)")
        if role_id in raw.data["works_with"]:
            out.add(raw.file, raw.data.line_of("works_with"), f"role '{role_id}' works with itself")
    for raw in by_kind["comparison"].values():
        roles = raw.data["roles"]
        if len(roles) != 2 or roles[0] == roles[1]:
            out.add(raw.file, raw.data.line_of("roles"), "a comparison names exactly two different roles")
    for raw in by_kind["responsibility"].values():
        seen = {raw.data["accountable"]}
        for part in ("responsible", "consulted", "informed"):
            for i, role_id in enumerate(raw.data.get(part) or []):
                if role_id in seen:
                    out.add(raw.file, raw.data[part].line_of(i),
                            f"role '{role_id}' appears twice in the RACI of '{raw.data['id']}'")
                seen.add(role_id)


def _check_aliases(raws: list[_Raw], out: _Collector) -> None:
    """Two entries answering to the same words would make matching a coin toss."""
    owner: dict[str, tuple[str, _Raw, int]] = {}
    phrases = [(raw, raw.data["title"], raw.data.line_of("title")) for raw in raws]
    phrases += [(raw, alias, raw.data["aliases"].line_of(i))
                for raw in raws for i, alias in enumerate(raw.data["aliases"])]
    for raw, text, line in phrases:
        label = f"{raw.kind} '{raw.data['id']}'"
        norm = match_key(text)
        if not norm:
            out.add(raw.file, line, f"alias '{text}' has only question words, nothing to match on")
        elif norm not in owner:
            owner[norm] = (label, raw, line)
        elif owner[norm][0] != label:
            other, other_raw, other_line = owner[norm]
            out.add(raw.file, line, f"alias '{text}' of {label} matches the same words as an alias "
                                    f"or title of {other} ({other_raw.file}); reword one of them")
            if other_raw.mtime > raw.mtime:  # the file just edited is the other one: say it there too
                out.add(other_raw.file, other_line, f"'{text}' of {other} matches the same words as an "
                                                    f"alias or title of {label} ({raw.file}); reword one of them")


def _build(raws: list[_Raw], sources: dict[str, Source], version: str) -> KnowledgeBase:
    def strs(d: LineDict, key: str) -> tuple[str, ...]:
        return tuple(s.strip() for s in (d.get(key) or []))

    def text(d: LineDict, key: str) -> str:
        return " ".join(d[key].split())

    tables: dict[str, dict[str, Any]] = {kind: {} for kind in FOLDERS}
    builders: dict[str, Callable[[LineDict], Any]] = {
        "role": lambda d: Role(d["id"], d["title"].strip(), strs(d, "aliases"), text(d, "summary"),
                               strs(d, "responsibilities"), strs(d, "skills"), strs(d, "tools"),
                               strs(d, "works_with"), strs(d, "stages"), strs(d, "sources")),
        "responsibility": lambda d: Responsibility(
            d["id"], d["title"].strip(), strs(d, "aliases"), text(d, "detail"), d["stage"],
            d["accountable"], strs(d, "responsible"), strs(d, "consulted"), strs(d, "informed"),
            strs(d, "sources")),
        "stage": lambda d: Stage(d["id"], d["title"].strip(), strs(d, "aliases"), d["order"],
                                 text(d, "summary"), strs(d, "sources")),
        "topic": lambda d: Topic(d["id"], d["title"].strip(), strs(d, "aliases"), text(d, "summary"),
                                 strs(d, "points"), strs(d, "roles"), d.get("stage"), strs(d, "sources")),
        "comparison": lambda d: Comparison(d["id"], d["title"].strip(), strs(d, "aliases"),
                                           tuple(d["roles"]), text(d, "summary"), strs(d, "points"),
                                           strs(d, "sources")),
    }
    for raw in raws:
        entry = builders[raw.kind](raw.data)
        curator = raw.data.get("curator")
        tables[raw.kind][raw.data["id"]] = replace(entry, examples=strs(raw.data, "examples"),
                                                   reviewed=as_date(raw.data.get("reviewed")),
                                                   curator=curator.strip() if curator else None)
    stages = dict(sorted(tables["stage"].items(), key=lambda kv: kv[1].order))
    return KnowledgeBase(tables["role"], tables["responsibility"], stages, tables["topic"],
                         tables["comparison"], sources, version)


def _version(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.y*ml")):
        digest.update(str(path.relative_to(root)).encode())
        try:
            digest.update(read_text(path, root).encode())
        except (FileRefused, UnicodeDecodeError):
            pass
    return digest.hexdigest()[:12]


def check_knowledge(path: str | Path) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Load and validate; return the knowledge base (None if it has problems) and the problems."""
    root = Path(path)
    out = _Collector(root)
    if not root.is_dir():
        out.add(str(root), 1, "not a folder: point --knowledge (or MLROLE_KNOWLEDGE) at a knowledge base")
        return None, out.problems
    sources = _load_sources(root, out)
    unreadable: dict[str, set[str]] = {}
    raws = _collect_entries(root, out, unreadable)
    ids: dict[str, set[str]] = {kind: set() for kind in FOLDERS}
    ids["source"] = set(sources)
    for raw in raws:
        entry_id = raw.data["id"]
        if entry_id in ids[raw.kind]:
            out.add(raw.file, raw.data.line_of("id"), f"duplicate {raw.kind} id '{entry_id}'")
        ids[raw.kind].add(entry_id)
    if not ids["role"] and not out.problems:
        out.add(out.rel(root / "roles"), 1, "no roles: a knowledge base needs at least one role")
    for kind, stems in unreadable.items():
        ids[kind] |= stems  # already reported; don't also report every reference to them
    _check_references(raws, ids, out)
    _check_rules(raws, out)
    _check_aliases(raws, out)
    if out.problems:
        return None, out.problems
    return _build(raws, sources, _version(root)), []


def load_knowledge(path: str | Path) -> KnowledgeBase:
    """Load a clean knowledge base or raise KnowledgeError listing every problem."""
    kb, problems = check_knowledge(path)
    if kb is None:
        raise KnowledgeError(problems)
    return kb
