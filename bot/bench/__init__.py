"""`mlrole bench`: answer quality against baselines, latency, scaling and load, in one run.

Sections: quality (ours vs BM25 and a naive rapidfuzz title match on the evaluation set), speed
(in-process p50/p99, start-up, RSS), scaling (synthetic knowledge bases of 10 to 10,000 entries)
and load (signed slash commands against the Slack app on loopback). `--json` prints every figure;
`--quick` is the small run CI uses.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

GOALS = {"bundled_p99_us": 1000.0, "p99_us_at_10000": 5000.0, "startup_ms": 500.0, "load_ack_p99_ms": 500.0}


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    import rapidfuzz

    try:
        loadavg = round(os.getloadavg()[0], 2)
    except OSError:
        loadavg = None
    return {"loadavg_1m_at_start": loadavg, "cpu": cpu, "cores": os.cpu_count(), "usable_cores": usable,
            "python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(terse=True), "rapidfuzz": rapidfuzz.__version__}


def run_bench(knowledge: str | Path | None = None, quick: bool = False, as_json: bool = False) -> int:
    results = collect(knowledge, quick, progress=not as_json)
    if as_json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        print(render(results))
    return 0


def collect(knowledge: str | Path | None = None, quick: bool = False, progress: bool = False,
            load_factory: str | None = None) -> dict[str, Any]:
    from bot.answers import Answerer
    from bot.bench import load, quality, speed, synthetic
    from bot.evaluation import default_questions_path, load_questions
    from bot.knowledge import load_knowledge
    from bot.settings import knowledge_path

    def say(message: str) -> None:
        if progress:
            print(f"… {message}", file=sys.stderr, flush=True)

    began = time.perf_counter()
    path = knowledge_path(str(knowledge) if knowledge else None)
    kb = load_knowledge(path)
    answerer = Answerer(kb)
    questions = load_questions()
    texts = [q.q for q in questions]
    out: dict[str, Any] = {"mode": "quick" if quick else "full", "machine": machine_info(),
                           "knowledge": {"path": str(path), "entries": len(kb), "roles": len(kb.roles),
                                         "version": kb.version},
                           "goals": GOALS}

    say("quality: ours vs baselines on the evaluation set")
    out["quality"] = quality.run_quality(kb, questions, answerer)
    conversational = quality.conversational_sets(default_questions_path().parent)
    out["conversational"] = quality.run_conversational(answerer, conversational)

    say("speed: in-process latency, start-up, memory")
    reps = 2_000 if quick else 20_000
    fresh = speed.time_fresh(Answerer(kb), texts)
    out["speed"] = {
        "questions": len(texts),
        "ask_fresh": fresh["ask"],
        "match_fresh": fresh["match"],
        "ask": speed.time_calls(answerer.ask, texts, reps),
        "match": speed.time_calls(answerer.matcher.match, texts, reps),
        **_conversational_fresh(kb, conversational),
        "startup": speed.startup(path, runs=3 if quick else 7),
        "rss": speed.rss(str(path)),
    }

    sizes = (10, 100, 1000) if quick else (10, 100, 1000, 10000)
    rows = []
    for size in sizes:
        say(f"scaling: synthetic knowledge base of {size} entries")
        start = time.perf_counter()
        synth = synthetic.build_kb(size)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        synth_answerer = Answerer(synth)
        built = time.perf_counter() - start
        synth_questions = synthetic.questions_for(synth, 300)
        synth_texts = [q.q for q in synth_questions]
        fresh = speed.time_fresh(synth_answerer, [q.q for q in synthetic.questions_for(
            synth, 300 if quick else 1000, seed=23)])
        total = (500 if quick else (3_000 if size >= 10_000 else 6_000))
        ask = speed.time_calls(synth_answerer.ask, synth_texts, total)
        match = speed.time_calls(synth_answerer.matcher.match, synth_texts, total // 2)
        hits = right = off = abstained = 0
        for q in synth_questions:
            got = synth_answerer.ask(q.q)
            if q.shape in ("hit", "typo"):
                hits += 1
                right += got.answered and got.kind == q.kind and got.id == q.id
            elif q.shape == "off-topic":
                off += 1
                abstained += not got.answered
        mem = speed.rss(f"synthetic:{size}")
        rows.append({"entries": len(synth), "generate_ms": round(generated * 1000, 1),
                     "index_build_ms": round(built * 1000, 1), "ask_fresh": fresh["ask"],
                     "match_fresh": fresh["match"], "ask": ask, "match": match,
                     "hit_accuracy": round(right / hits, 4) if hits else 0.0,
                     "abstention": round(abstained / off, 4) if off else 0.0,
                     "rss_index_mib": mem.get("index_mib")})
    out["scaling"] = rows

    requests, concurrency = (100, 10) if quick else (2000, 100)
    say(f"load: {requests} signed /mlrole requests from {concurrency} clients")
    out["load"] = load.run_load(path, texts, requests, concurrency,
                                **({"factory": load_factory} if load_factory else {}))
    out["verdict"] = verdict(out)
    out["elapsed_s"] = round(time.perf_counter() - began, 1)
    return out


def _conversational_fresh(kb: Any, sets: dict[str, list[Any]]) -> dict[str, Any]:
    """Fresh latency on the conversational sets' messages (long, chatty), when the checkout has them."""
    from bot.answers import Answerer
    from bot.bench import speed
    texts = [q.q for questions in sets.values() for q in questions]
    return {"ask_fresh_conversational": speed.time_fresh(Answerer(kb), texts)["ask"]} if texts else {}


def verdict(out: dict[str, Any]) -> dict[str, Any]:
    checks: dict[str, Any] = {}
    p99 = max(out["speed"]["ask"]["p99_us"], out["speed"]["ask_fresh"]["p99_us"],
              out["speed"].get("ask_fresh_conversational", {}).get("p99_us", 0.0))
    checks["bundled_p99_under_1ms"] = p99 < GOALS["bundled_p99_us"]
    big = [r for r in out["scaling"] if r["entries"] >= 10_000]
    checks["p99_under_5ms_at_10000"] = (max(big[0]["ask"]["p99_us"], big[0]["ask_fresh"]["p99_us"])
                                        < GOALS["p99_us_at_10000"]) if big else None
    started = out["speed"].get("startup", {})
    checks["startup_under_500ms"] = (started["median_ms"] < GOALS["startup_ms"]) if "median_ms" in started else None
    load = out["load"]
    if load.get("status") == "ok":
        checks["load_all_200"] = load["errors"] == 0
        checks["load_ack_p99_under_500ms"] = load["ack_p99_ms"] < GOALS["load_ack_p99_ms"]
    else:
        checks["load_all_200"] = checks["load_ack_p99_under_500ms"] = None
    margin = out["quality"].get("margin") or {}
    checks["beats_best_baseline_points"] = margin.get("accuracy_points")
    return checks


# -- the terminal table ------------------------------------------------------------------------

def _pct(value: Any) -> str:
    return f"{100 * value:5.1f}%" if isinstance(value, (int, float)) else "    —"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return [line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows]


def render(out: dict[str, Any]) -> str:
    m = out["machine"]
    k = out["knowledge"]
    lines = [f"mlrole bench ({out['mode']}) — {m['cpu']}, {m['usable_cores']}/{m['cores']} cores, "
             f"{m['implementation']} {m['python']}, rapidfuzz {m['rapidfuzz']}; "
             f"load average {m['loadavg_1m_at_start']} at start (other work skews the figures)",
             f"knowledge base: {k['entries']} entries ({k['roles']} roles), version {k['version']}", ""]

    q = out["quality"]
    systems = q["systems"]
    kinds = q["kinds"]
    lines.append(f"QUALITY — {q['questions']} evaluation questions "
                 f"({next(iter(systems.values())).get('answerable', '?')} answerable, "
                 f"{next(iter(systems.values())).get('off_topic', '?')} off-topic)")
    rows = []
    for name, s in systems.items():
        if "skipped" in s:
            continue
        cutoff = f"{s['cutoff']:g} ({'fixed' if s['cutoff_note'] == 'fixed' else 'tuned'})"
        rows.append([name, _pct(s["accuracy"]), *(_pct(s["by_kind"].get(kind)) for kind in kinds),
                     _pct(s["abstention"]), _pct(s["overall"]), cutoff])
    lines += _table(["system", "accuracy", *kinds, "abstain", "overall", "cut-off"], rows)
    for name, s in systems.items():
        if "skipped" in s:
            lines.append(f"  {name}: skipped — {s['skipped']}")
    for name, c in (out.get("conversational") or {}).items():
        lines.append(f"  conversational {name} ({c['questions']} questions): right {_pct(c['accuracy'])} on "
                     f"{c['answerable']} answerable, abstained {_pct(c['abstention'])} on {c['off_topic']} off-topic")
    mg = q.get("margin") or {}
    if mg:
        ratio = f"; it gets {mg['error_ratio']}× as many answerable questions wrong" if mg.get("error_ratio") else ""
        lines.append(f"  margin over best baseline ({mg['best_baseline']}): {mg['accuracy_points']:+.1f} points "
                     f"accuracy, {mg['abstention_points']:+.1f} abstention, {mg['overall_points']:+.1f} "
                     f"overall{ratio}")
    lines.append("  (baseline cut-offs are the best for them on this same set; overall = right answers "
                 "+ correct abstentions over all questions)")
    lines.append("")

    sp = out["speed"]
    lines.append("SPEED — in-process on the evaluation questions; fresh = each question seen once (no "
                 "per-question cache can help), repeat = round-robin after warm-up")
    rows = []
    for label, key in (("Answerer.ask, fresh", "ask_fresh"), ("Matcher.match, fresh", "match_fresh"),
                       ("Answerer.ask, repeat", "ask"), ("Matcher.match, repeat", "match"),
                       ("Answerer.ask, fresh, chatty", "ask_fresh_conversational")):
        if key not in sp:
            continue
        s = sp[key]
        rows.append([label, f"{s['n']:,}", f"{s['p50_us']:,.0f}", f"{s['p90_us']:,.0f}", f"{s['p99_us']:,.0f}",
                     f"{s['max_us']:,.0f}", f"{s['mean_us']:,.0f}"])
    lines += _table(["path", "calls", "p50 µs", "p90 µs", "p99 µs", "max µs", "mean µs"], rows)
    st = sp["startup"]
    if "error" in st:
        lines.append(f"  start-up: failed — {st['error']}")
    else:
        lines.append(f"  start-up ({st['command']}): median {st['median_ms']:.0f} ms over {st['runs']} runs "
                     f"(bare python: {st['python_alone_ms']:.0f} ms)")
    rss = sp["rss"]
    if "error" in rss:
        lines.append(f"  memory: failed — {rss['error']}")
    else:
        lines.append(f"  memory: loaded + indexed knowledge base adds {rss['index_mib']:.1f} MiB RSS "
                     f"(process total {rss['total_mib']:.1f} MiB; load + index {rss['load_ms']:.0f} ms)")
    lines.append("")

    lines.append("SCALING — synthetic knowledge bases; question mix: 35% owner, 25% role, 15% typo, "
                 "10% comparison, 15% off-topic")
    rows = []
    for r in out["scaling"]:
        rows.append([f"{r['entries']:,}", f"{r['index_build_ms']:,.1f}",
                     f"{r['ask_fresh']['p50_us']:,.0f}", f"{r['ask_fresh']['p99_us']:,.0f}",
                     f"{r['match_fresh']['p50_us']:,.0f}", f"{r['match_fresh']['p99_us']:,.0f}",
                     f"{r['ask']['p50_us']:,.0f}", f"{r['ask']['p99_us']:,.0f}",
                     _pct(r["hit_accuracy"]), _pct(r["abstention"]),
                     f"{r['rss_index_mib']:.1f}" if isinstance(r.get("rss_index_mib"), (int, float)) else "—"])
    lines += _table(["entries", "build ms", "fresh ask p50 µs", "p99", "fresh match p50", "p99",
                     "repeat ask p50", "p99",
                     "hits right", "abstain", "RSS MiB"], rows)
    lines.append("")

    ld = out["load"]
    if ld.get("status") != "ok":
        lines.append(f"LOAD — skipped: {ld.get('reason')}")
    else:
        lines.append(f"LOAD — {ld['requests']:,} signed /mlrole requests, {ld['concurrency']} concurrent "
                     f"clients, Web API and response_url stubbed on loopback")
        lines += _table(["ack p50 ms", "ack p99 ms", "ack max ms", "req/s", "errors", "answers delivered",
                         "answer p50 ms", "answer p99 ms"],
                        [[f"{ld['ack_p50_ms']:.1f}", f"{ld['ack_p99_ms']:.1f}", f"{ld['ack_max_ms']:.1f}",
                          f"{ld['throughput_rps']:.0f}", str(ld["errors"]), f"{ld['responses_delivered']:,}",
                          f"{ld['response_p50_ms']:.1f}", f"{ld['response_p99_ms']:.1f}"]])
        if ld["errors"]:
            lines.append(f"  statuses: {ld['statuses']}; e.g. {'; '.join(ld['error_samples'][:2])}")
    lines.append("")

    v = out["verdict"]
    goal = lambda ok: "yes" if ok is True else ("NO" if ok is False else "n/a")
    lines.append(f"GOALS (worst p99 of fresh, repeat and chatty) — p99 < 1 ms on the bundled KB: {goal(v['bundled_p99_under_1ms'])}; "
                 f"p99 < 5 ms at 10,000 entries: {goal(v['p99_under_5ms_at_10000'])}; "
                 f"start-up < 0.5 s: {goal(v['startup_under_500ms'])}; "
                 f"load all 200: {goal(v['load_all_200'])}; ack p99 < 500 ms: {goal(v['load_ack_p99_under_500ms'])}")
    lines.append(f"finished in {out['elapsed_s']:.1f} s")
    return "\n".join(lines)
