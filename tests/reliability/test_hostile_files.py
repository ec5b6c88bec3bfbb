"""Hostile or odd knowledge-base files: each is one `file:line` problem; reloads and the watcher survive."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.knowledge import check_knowledge
from bot.live import LiveKnowledge
from tests.slack.harness import FIXTURE_KB

SECRET = "SECRET-CONTENT-FROM-OUTSIDE"

# Nine aliases of nine: tiny on disk, 9**9 (387 million) strings once repr()'d as a mapping key.
ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi")]
    + ["? *i", ": boom", ""])


def make(kind: str, kb: Path, outside: Path) -> tuple[Path, str]:
    """Plant one hostile file in `kb/roles`; returns it and a word its problem must contain."""
    target = kb / "roles" / f"{kind}.yaml"
    if kind == "deep":
        target.write_text("id: deep\ntitle: " + "[" * 5000 + "]" * 5000 + "\n")
        return target, "nested too deeply"
    if kind == "deep-indent":
        target.write_text("- " * 5000 + "x\n")  # block sequences nested on one line
        return target, "nested too deeply"
    if kind == "alias-bomb":
        target.write_text(ALIAS_BOMB)
        return target, "a key must be text"
    if kind == "fifo":
        os.mkfifo(target)
        return target, "not a regular file"
    if kind == "dev-zero":
        target.symlink_to("/dev/zero")
        return target, "outside the knowledge folder"
    if kind == "link-out":
        outside.write_text(f"id: link-out\ntitle: [{SECRET}\n")
        target.symlink_to(outside)
        return target, "outside the knowledge folder"
    if kind == "huge":
        target.write_text("# padding\n" * 60_000)
        return target, "larger than"
    if kind == "link-loop":
        target.symlink_to(target)
        return target, "cannot follow"
    raise AssertionError(kind)


KINDS = ["deep", "deep-indent", "alias-bomb", "fifo", "dev-zero", "link-out", "huge", "link-loop"]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_KB, copy)
    return copy


@pytest.mark.parametrize("kind", KINDS)
def test_kb_validate_reports_a_hostile_file_as_one_problem(kb, tmp_path, kind):
    """In a subprocess with a deadline: a FIFO or /dev/zero would otherwise hang it for good."""
    planted, words = make(kind, kb, tmp_path / "outside.yaml")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("MLROLE_ORG", None)
    done = subprocess.run([sys.executable, "-m", "bot", "kb", "validate", str(kb)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, (done.stdout, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    assert f"knowledge/roles/{planted.name}:" in done.stderr and words in done.stderr, done.stderr[-2000:]
    assert SECRET not in done.stderr
    assert len(done.stderr) < 5000


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "fifo"])
def test_a_reload_keeps_serving_and_says_why(kb, tmp_path, kind):
    live = LiveKnowledge(kb)
    version = live.status()["version"]
    planted, words = make(kind, kb, tmp_path / "outside.yaml")
    assert live.reload() is False
    status = live.status()
    assert status["version"] == version
    assert f"roles/{planted.name}" in status["last_reload_error"] and words in status["last_reload_error"]
    assert SECRET not in str(status)


def test_a_symlink_inside_the_folder_is_followed(kb):
    """Kubernetes ConfigMaps mount each file as a link into `..data/` of the same folder."""
    data = kb / "..data"
    data.mkdir()
    role = kb / "roles" / "devops-engineer.yaml"
    shutil.move(role, data / role.name)
    role.symlink_to(Path("..") / "..data" / role.name)
    kb_loaded, problems = check_knowledge(kb)
    assert problems == [] and kb_loaded is not None and "devops-engineer" in kb_loaded.roles


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


async def test_the_watcher_survives_hostile_files_and_healthz_shows_the_problem(kb, tmp_path):
    live = LiveKnowledge(kb)
    stop = asyncio.Event()
    watcher = asyncio.create_task(live.watch(stop))
    try:
        await asyncio.sleep(0.5)  # the watch is set up
        for kind in ("deep", "alias-bomb", "fifo", "link-out"):
            planted, words = make(kind, kb, tmp_path / f"outside-{kind}.yaml")
            await _until(lambda: words in (live.status()["last_reload_error"] or ""))
            assert not watcher.done()
            planted.unlink()
            await _until(lambda: live.status()["last_reload_error"] is None)
        role = kb / "roles" / "devops-engineer.yaml"
        role.write_text(role.read_text().replace("title: DevOps Engineer", "title: DevOps Wizard"))
        await _until(lambda: live.answerer.kb.roles["devops-engineer"].title == "DevOps Wizard")
    finally:
        stop.set()
        await asyncio.wait_for(watcher, 10)


async def test_the_org_overlay_reloads_after_atomic_replaces(kb, tmp_path):
    """Editors, `sed -i` and ConfigMaps rename a new file over the old one: every replace is seen."""
    folder = tmp_path / "config"
    folder.mkdir()
    org = folder / "org.yaml"
    org.write_text("devops-engineer: {channel: \"#platform\"}\n")
    live = LiveKnowledge(kb, org)
    stop = asyncio.Event()
    watcher = asyncio.create_task(live.watch(stop))
    try:
        await asyncio.sleep(0.5)
        contents = ["devops-engineer: {channel: \"#platform\"}\nml-engineer: {channel: \"#ml\"}\n",
                    "devops-engineer: {channel: \"#platform\"}\nml-engineer: {channel: \"#ml\"}\n"
                    "data-scientist: {channel: \"#ds\"}\n",
                    "ml-engineer: {channel: \"#ml\"}\n"]
        for expected, text in zip((2, 3, 1), contents):
            fresh = folder / ".org.yaml.tmp"
            fresh.write_text(text)
            os.replace(fresh, org)  # a new inode under the old name
            await _until(lambda: live.status()["org_roles"] == expected)
    finally:
        stop.set()
        await asyncio.wait_for(watcher, 10)
