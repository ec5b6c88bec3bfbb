"""Smoke test for `mlrole bench --quick`: every section is there with sane values; no timing asserts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.bench import collect, render, run_bench
from bot.bench.load import run_load, sign
from bot.bench.quality import BM25Baseline, TitleFuzzBaseline
from bot.bench.speed import percentile
from bot.bench.synthetic import build_kb, questions_for, write_yaml
from bot.evaluation import load_questions
from bot.knowledge import check_knowledge


@pytest.fixture(scope="module")
def quick() -> dict:
    return collect(quick=True)


def test_run_bench_prints_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.bench as bench

    monkeypatch.setattr(bench, "collect", lambda *a, **k: {"stub": True})
    assert run_bench(quick=True, as_json=True) == 0
    assert json.loads(capsys.readouterr().out) == {"stub": True}


def test_quick_has_every_section(quick: dict) -> None:
    for section in ("machine", "knowledge", "quality", "speed", "scaling", "load", "verdict"):
        assert section in quick
    assert quick["mode"] == "quick"
    assert quick["machine"]["python"] == ".".join(map(str, sys.version_info[:3]))
    assert quick["machine"]["cores"] >= 1
    json.dumps(quick)  # everything is JSON-serialisable


def test_quality_figures_are_fractions(quick: dict) -> None:
    systems = quick["quality"]["systems"]
    assert {"mlrole", "bm25", "rapidfuzz-title"} <= set(systems)
    for name in ("mlrole", "bm25", "rapidfuzz-title"):
        s = systems[name]
        assert s["questions"] == quick["quality"]["questions"] > 0
        for key in ("accuracy", "abstention", "overall"):
            assert 0.0 <= s[key] <= 1.0
        assert set(s["by_kind"]) == {"role", "responsibility", "comparison", "stage", "topic"}
        assert all(0.0 <= v <= 1.0 for v in s["by_kind"].values())
    margin = quick["quality"]["margin"]
    assert margin["best_baseline"] in ("bm25", "rapidfuzz-title")


def test_speed_and_scaling_are_positive(quick: dict) -> None:
    speed = quick["speed"]
    for key in ("ask", "match", "ask_fresh", "match_fresh"):
        assert speed[key]["n"] > 0
        assert 0 < speed[key]["p50_us"] <= speed[key]["p99_us"] <= speed[key]["max_us"]
    assert speed["startup"].get("median_ms", 0) > 0, speed["startup"]
    assert speed["rss"].get("total_mib", 0) > 0, speed["rss"]
    sizes = [row["entries"] for row in quick["scaling"]]
    assert sizes == [10, 100, 1000]
    for row in quick["scaling"]:
        assert row["ask"]["p99_us"] > 0 and row["ask_fresh"]["p99_us"] > 0 and row["index_build_ms"] >= 0
        assert 0.0 <= row["hit_accuracy"] <= 1.0 and 0.0 <= row["abstention"] <= 1.0


def test_load_ran_or_says_why(quick: dict) -> None:
    load = quick["load"]
    assert load["status"] in ("ok", "skipped")
    if load["status"] == "ok":
        assert load["requests"] == 100 and load["concurrency"] == 10
        assert load["ack_p50_ms"] > 0 and load["errors"] >= 0
    else:
        assert load["reason"]


def test_render_has_the_sections(quick: dict) -> None:
    text = render(quick)
    for heading in ("QUALITY", "SPEED", "SCALING", "LOAD", "GOALS", quick["machine"]["cpu"]):
        assert heading in text


def test_synthetic_kb_is_valid_for_the_loader(tmp_path: Path) -> None:
    kb = build_kb(100)
    assert len(kb) == 100
    loaded, problems = check_knowledge(write_yaml(kb, tmp_path / "kb"))
    assert problems == []
    assert loaded is not None and len(loaded) == 100
    shapes = {q.shape for q in questions_for(kb, 200)}
    assert shapes == {"hit", "typo", "comparison", "off-topic"}


def test_baselines_return_the_answer_shape() -> None:
    kb = build_kb(100)
    questions = load_questions()[:5]
    for baseline in (BM25Baseline(kb), TitleFuzzBaseline(kb)):
        baseline.tune(questions)
        got = baseline("who owns " + next(iter(kb.responsibilities.values())).title)
        assert set(got) == {"answered", "kind", "id", "roles"}
        assert baseline("")["answered"] in (True, False)


def test_load_reports_skipped_for_a_missing_app(tmp_path: Path) -> None:
    got = run_load(tmp_path, ["hi"], 3, 1, factory="bot.no_such_module:create_web_app")
    assert got["status"] == "skipped" and "no_such_module" in got["reason"]


def test_helpers() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2 and percentile([1, 2, 3, 4], 99) == 4
    assert percentile([], 50) == 0.0
    assert sign("s", "1", "b").startswith("v0=") and len(sign("s", "1", "b")) == 67
