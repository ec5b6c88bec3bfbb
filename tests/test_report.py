"""`mlrole report` against a SQLite file filled through the store, as a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.storage.sql import SqlStore

ROOT = Path(__file__).resolve().parent.parent


async def _fill(url: str) -> None:
    """Through the store, as the bot writes: three spellings of one question, small talk, feedback."""
    store = await SqlStore(url).start(strict=True)
    try:
        for text in ["Who owns the GPU budget?", "who owns the gpu budget?", "What does a data steward do?",
                     "Who owns the GPU budget? ", "thanks!", "hi", "ok 👍"]:
            await store.record_question(text=text, surface="dm", user_id="U1", answered=False,
                                        answer_id=None, score=20.0, team_id="T1")
        await store.record_question(text="who deploys models", surface="slash", user_id="U2",
                                    answered=True, answer_id="responsibility:model-deployment", score=95.0)
        for user, answer_id, helpful in [("U3", "role:ml-engineer", True), ("U3", "topic:labelling", False),
                                         ("U4", "topic:labelling", False), ("U4", "role:ml-engineer", False)]:
            await store.record_feedback(answer_id=answer_id, helpful=helpful, user_id=user)
    finally:
        await store.close()


@pytest.fixture
def filled_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    asyncio.run(_fill(url))
    return url


def run(args: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "XDG_DATA_HOME": str(tmp_path / "xdg"),
           "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "bot", "report", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_report_json(filled_db: str, tmp_path: Path):
    done = run(["--json"], filled_db, tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [(q["question"].lower(), q["count"]) for q in data["unanswered"]] == [
        ("who owns the gpu budget?", 3), ("what does a data steward do?", 1)]
    assert all(q["last_asked"].endswith("Z") for q in data["unanswered"])
    assert data["feedback"] == [
        {"answer_id": "topic:labelling", "helpful": 0, "not_helpful": 2},
        {"answer_id": "role:ml-engineer", "helpful": 1, "not_helpful": 1},
    ]


def test_report_limit_in_process(filled_db: str, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", filled_db)
    assert main(["report", "--json", "--limit", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["unanswered"]) == 1 and len(data["feedback"]) == 1


def test_report_table(filled_db: str, tmp_path: Path):
    done = run([], filled_db, tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Most frequent unanswered questions (2)" in out
    assert "Answers with the worst feedback (2)" in out
    lines = out.splitlines()
    gpu = next(line for line in lines if "gpu budget" in line.lower())
    assert gpu.split()[0] == "3"
    labelling = next(line for line in lines if line.startswith("topic:labelling"))
    assert labelling.split()[1:] == ["0", "2"]
    assert "who deploys models" not in out  # answered questions are not on the list


def test_report_on_an_empty_database(tmp_path: Path, monkeypatch, capsys):
    from bot.report import run_report

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    asyncio.run(SqlStore(url).start(strict=True))  # the bot created its tables, nobody asked anything yet
    monkeypatch.setenv("DATABASE_URL", url)
    assert run_report(as_json=False, limit=20) == 0
    out = capsys.readouterr().out
    assert "(none recorded yet)" in out and "(no feedback yet)" in out


def test_report_is_read_only(tmp_path: Path):
    """No database file, no folder: report says so in one line and creates neither."""
    missing = tmp_path / "not" / "there" / "mlrole.db"
    done = run([], f"sqlite:///{missing}", tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == (f"mlrole report: no database at {missing}: nothing has been stored yet "
                                   "(the bot creates it when it first runs), or DATABASE_URL points elsewhere")
    assert not (tmp_path / "not").exists()
    done = run([], "", tmp_path)  # DATABASE_URL unset: the default file under XDG_DATA_HOME
    assert done.returncode == 1 and "no database at" in done.stderr
    assert not (tmp_path / "xdg").exists()


def test_report_leaves_the_database_untouched(filled_db: str, tmp_path: Path):
    path = Path(filled_db.removeprefix("sqlite:///"))
    before = (path.stat().st_mtime_ns, path.read_bytes())
    assert run(["--json"], filled_db, tmp_path).returncode == 0
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.db"]  # no journal or WAL left


def test_report_groups_case_punctuation_and_whitespace_and_hides_small_talk(filled_db: str, tmp_path: Path):
    data = json.loads(run(["--json"], filled_db, tmp_path).stdout)
    questions = [q["question"].lower() for q in data["unanswered"]]
    assert questions == ["who owns the gpu budget?", "what does a data steward do?"]
    assert data["answered"] == [{"answer_id": "responsibility:model-deployment", "count": 1}]


def test_report_filters(filled_db: str, tmp_path: Path):
    data = json.loads(run(["--json", "--surface", "mention"], filled_db, tmp_path).stdout)
    assert data["unanswered"] == [] and data["answered"] == []
    data = json.loads(run(["--json", "--surface", "dm", "--since", "1d"], filled_db, tmp_path).stdout)
    assert len(data["unanswered"]) == 2
    data = json.loads(run(["--json", "--since", "2999-01-01"], filled_db, tmp_path).stdout)
    assert data == {"unanswered": [], "feedback": [], "answered": []}


@pytest.mark.parametrize("args, message", [
    (["--limit", "0"], "argument --limit: '0' is not a whole number of at least 1"),
    (["--limit", "x"], "argument --limit: 'x' is not a whole number of at least 1"),
    (["--since", "last week"], "argument --since: 'last week' is not a date"),
    (["--surface", "email"], "argument --surface: invalid choice: 'email'"),
])
def test_report_options_are_validated(args: list[str], message: str, tmp_path: Path):
    done = run(args, "sqlite:///nowhere.db", tmp_path)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_report_refuses_a_memory_store(monkeypatch, capsys):
    from bot.report import run_report

    monkeypatch.setenv("DATABASE_URL", "memory://")
    assert run_report(as_json=True, limit=5) == 1
    assert "memory://" in capsys.readouterr().err


def test_report_database_unreachable(tmp_path: Path):
    done = run(["--json"], "postgresql://postgres:hunter2@127.0.0.1:1/mlrole", tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mlrole report: cannot reach the database")
    assert "hunter2" not in done.stderr
