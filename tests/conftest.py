from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.answers import Answerer
from bot.knowledge import load_knowledge
from bot.settings import default_knowledge_path

KNOWLEDGE = default_knowledge_path()


@pytest.fixture(scope="session")
def kb():
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="session")
def answerer(kb):
    return Answerer(kb)


@pytest.fixture
def kb_copy(tmp_path: Path, monkeypatch) -> Path:
    """A writable copy of the bundled knowledge base, for tests that break it (run from its parent
    folder, so problems print as knowledge/…, relative to the current folder)."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target
