"""Hot reload: a good edit goes live, a broken one never replaces the last good version."""

from __future__ import annotations

import asyncio

from bot.live import LiveKnowledge


def _set_title(path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def test_broken_edit_keeps_last_good_version_then_fix_is_picked_up(kb_copy):
    live = LiveKnowledge(kb_copy)
    version = live.status()["version"]
    role = kb_copy / "roles" / "devops-engineer.yaml"
    good = role.read_text()

    role.write_text(good + "aliases: [\n")
    assert live.reload() is False
    status = live.status()
    assert status["version"] == version
    assert "devops-engineer.yaml:" in status["last_reload_error"]
    assert live.answerer.ask("devops").id == "devops-engineer"

    role.write_text(good.replace("title: DevOps Engineer", "title: Platform DevOps Engineer"))
    assert live.reload() is True
    assert live.status()["version"] != version
    assert live.status()["last_reload_error"] is None
    assert live.answerer.ask("devops").title == "Platform DevOps Engineer"


async def test_watcher_reloads_within_seconds(kb_copy):
    live = LiveKnowledge(kb_copy)
    stop = asyncio.Event()
    task = asyncio.create_task(live.watch(stop))
    await asyncio.sleep(0.5)
    _set_title(kb_copy / "roles" / "data-labeler.yaml", "title: Data Labeler", "title: Data Annotator")
    for _ in range(100):
        if live.answerer.kb.roles["data-labeler"].title == "Data Annotator":
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert live.answerer.kb.roles["data-labeler"].title == "Data Annotator"
