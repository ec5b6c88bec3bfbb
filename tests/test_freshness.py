"""Freshness: `reviewed:` and `curator:` in the knowledge base, `mlrole report --stale`, the digest."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bot.freshness import collect_digest, stale_entries, week_key
from bot.knowledge import check_knowledge, load_knowledge
from bot.settings import Settings
from bot.slack import curator_blocks as cb
from bot.slack.digest import digest_problem
from bot.storage import MemoryStore

ROOT = Path(__file__).resolve().parent.parent


def stamp(path: Path, lines: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + lines, encoding="utf-8")


def test_reviewed_and_curator_are_loaded(kb_copy: Path):
    stamp(kb_copy / "roles" / "ml-engineer.yaml", "reviewed: 2025-01-15\ncurator: U0123ABCD\n")
    stamp(kb_copy / "roles" / "devops-engineer.yaml", "reviewed: '2026-03-01'\ncurator: S0456GROUP\n")
    kb = load_knowledge(kb_copy)
    assert (kb.roles["ml-engineer"].reviewed, kb.roles["ml-engineer"].curator) == (date(2025, 1, 15), "U0123ABCD")
    assert (kb.roles["devops-engineer"].reviewed, kb.roles["devops-engineer"].curator) == \
        (date(2026, 3, 1), "S0456GROUP")
    assert kb.roles["data-scientist"].reviewed is None and kb.roles["data-scientist"].curator is None


@pytest.mark.parametrize("lines, message", [
    ("reviewed: 2025-13-01\n", "'reviewed' must be a date written YYYY-MM-DD"),
    ("reviewed: 2025-01-15 10:30:00\n", "'reviewed' must be a date written YYYY-MM-DD"),
    ("reviewed: last week\n", "'reviewed' must be a date written YYYY-MM-DD"),
    ("curator: alice\n", "'curator' must be a Slack member ID (U…/W…) or user group ID (S…)"),
    ("curator: <@U0123ABCD>\n", "'curator' must be a Slack member ID"),
    ("curator: C0123ABCD\n", "'curator' must be a Slack member ID"),
])
def test_bad_freshness_fields_are_named_with_file_and_line(kb_copy: Path, lines: str, message: str):
    path = kb_copy / "roles" / "ml-engineer.yaml"
    last_line = len(path.read_text(encoding="utf-8").splitlines())
    stamp(path, lines)
    kb, problems = check_knowledge(kb_copy)
    assert kb is None
    [problem] = problems
    assert problem.file.endswith("roles/ml-engineer.yaml") and problem.line == last_line + 1
    assert message in problem.message


def test_stale_entries_oldest_first_then_never_reviewed(kb_copy: Path):
    stamp(kb_copy / "roles" / "ml-engineer.yaml", "reviewed: 2025-01-15\ncurator: U0123ABCD\n")
    stamp(kb_copy / "roles" / "devops-engineer.yaml", "reviewed: 2024-06-01\n")
    stamp(kb_copy / "roles" / "data-scientist.yaml", "reviewed: 2026-11-01\n")
    stale = stale_entries(load_knowledge(kb_copy), 180, today=date(2026, 11, 25))
    assert [(e.id, e.age_days) for e in stale[:2]] == [("devops-engineer", 907), ("ml-engineer", 679)]
    assert "data-scientist" not in {e.id for e in stale}
    assert all(e.reviewed is None for e in stale[2:]) and len(stale) == len(load_knowledge(kb_copy)) - 1


def test_week_key_is_the_iso_week():
    assert week_key(datetime(2026, 1, 1, tzinfo=timezone.utc)) == "2026-W01"
    assert week_key(datetime(2026, 11, 29, 23, 59, tzinfo=timezone.utc)) == "2026-W48"


def test_digest_settings_are_checked_with_one_line():
    assert digest_problem(Settings()) is None
    assert "MLROLE_DIGEST='daily'" in digest_problem(Settings(digest="daily", triage_channel="C1"))
    assert "needs MLROLE_TRIAGE_CHANNEL" in digest_problem(Settings(digest="weekly"))
    assert Settings.from_env(env={"MLROLE_TRIAGE_CHANNEL": " C0TRIAGE ", "MLROLE_DIGEST": "Weekly"}).digest == "weekly"


class FakeClient:
    def __init__(self) -> None:
        self.posts: list[dict] = []

    async def chat_postMessage(self, **kwargs):  # noqa: N802 - slack_sdk's name
        self.posts.append(kwargs)
        return {"ok": True}


class FakeKnowledge:
    def __init__(self, kb=None) -> None:
        from bot.answers import Answerer
        from bot.settings import default_knowledge_path

        self.answerer = Answerer(kb or load_knowledge(default_knowledge_path()))


async def test_the_digest_lists_unanswered_downvoted_and_stale(kb_copy: Path):
    stamp(kb_copy / "roles" / "ml-engineer.yaml", "reviewed: 2025-01-15\ncurator: U0123ABCD\n")
    store = MemoryStore()
    for _ in range(3):
        await store.record_question(text="who owns the GPU budget? <!channel>", surface="dm", user_id="U1",
                                    answered=False, answer_id=None, score=0.0)
    for user, helpful in (("U2", False), ("U3", False), ("U4", True), ("U5", False)):  # one vote per person
        await store.record_feedback(answer_id="role:data-analyst", helpful=helpful, user_id=user)
    await store.record_feedback(answer_id="role:ml-engineer", helpful=False, user_id="U2")  # once: not repeated
    digest = await collect_digest(store, load_knowledge(kb_copy), now=datetime(2026, 11, 25, tzinfo=timezone.utc))
    blocks = json.dumps(cb.digest_blocks(digest), ensure_ascii=False)
    assert "3× “who owns the GPU budget? &lt;!channel&gt;”" in blocks and "<!channel>" not in blocks
    assert "`role:data-analyst` 👎 3 · 👍 1" in blocks and "role:ml-engineer` 👎" not in blocks
    assert "`role:ml-engineer` reviewed 2025-01-15 (679 days) — <@U0123ABCD>" in blocks
    assert cb.digest_text(digest) == "mlrole weekly digest: 1 unanswered, 1 👎-ed, 1 stale"


def test_report_stale_from_the_command_line(kb_copy: Path, tmp_path: Path):
    stamp(kb_copy / "roles" / "ml-engineer.yaml", "reviewed: 2020-01-15\ncurator: U0123ABCD\n")
    url = f"sqlite:///{tmp_path / 'stale.db'}"

    async def fill() -> None:
        from bot.storage.sql import SqlStore

        store = await SqlStore(url).start(strict=True)
        for user in ("U1", "U2"):  # one vote per person: two people
            await store.record_feedback(answer_id="topic:mlops", helpful=False, user_id=user)
        await store.close()

    asyncio.run(fill())
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "bot", "report", "--stale", "365", "--json",
                          "--knowledge", str(kb_copy)], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["days"] == 365 and data["stale"][0]["id"] == "ml-engineer"
    assert data["stale"][0]["curator"] == "U0123ABCD"
    assert data["downvoted"] == [{"answer_id": "topic:mlops", "helpful": 0, "not_helpful": 2}]
    text = subprocess.run([sys.executable, "-m", "bot", "report", "--stale", "--knowledge", str(kb_copy)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert text.returncode == 0 and "Entries not reviewed for more than 180 days (1)" in text.stdout
    assert "topic:mlops  👎 2" in text.stdout
