"""Latency in-process, start-up time and resident memory of a loaded knowledge base."""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(pct / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def summarise_ns(samples: list[int]) -> dict[str, float]:
    values = sorted(s / 1000 for s in samples)
    return {"n": len(values), "p50_us": round(percentile(values, 50), 1),
            "p90_us": round(percentile(values, 90), 1), "p99_us": round(percentile(values, 99), 1),
            "max_us": round(values[-1], 1) if values else 0.0,
            "mean_us": round(statistics.fmean(values), 1) if values else 0.0}


def time_calls(fn: Callable[[str], Any], questions: Sequence[str], total: int,
               warmup_passes: int = 1) -> dict[str, float]:
    """Call `fn` on the questions round-robin `total` times after warm-up; per-call latency."""
    for _ in range(warmup_passes):
        for q in questions:
            fn(q)
    samples: list[int] = []
    clock = time.perf_counter_ns
    gc.collect()
    i, count = 0, len(questions)
    for _ in range(total):
        q = questions[i]
        i = i + 1 if i + 1 < count else 0
        start = clock()
        fn(q)
        samples.append(clock() - start)
    return summarise_ns(samples)


def time_fresh(answerer: Any, questions: Sequence[str]) -> dict[str, dict[str, float]]:
    """Each distinct question asked once, so no per-question cache can help: the cold path.

    `Answerer.ask` is `answer(matcher.match(q))`; both halves are timed in the same call so the
    matcher-alone figure comes from the same first sight of the question.
    """
    clock = time.perf_counter_ns
    match_ns: list[int] = []
    ask_ns: list[int] = []
    answerer.matcher.prepare()  # as a server's loader does before the first question
    gc.collect()
    for q in dict.fromkeys(questions):
        start = clock()
        found = answerer.matcher.match(q)
        matched = clock()
        answerer.answer(found)
        match_ns.append(matched - start)
        ask_ns.append(clock() - start)
    return {"ask": summarise_ns(ask_ns), "match": summarise_ns(match_ns)}


def startup(knowledge: Path, runs: int = 5) -> dict[str, Any]:
    """Wall time of `mlrole ask "who owns model deployment?"` in a fresh process.

    Run as an installed package runs: the interpreter directly (not through a version manager's
    shim) and with bytecode cached (pip compiles it at install; one warm-up run writes it here,
    where PYTHONDONTWRITEBYTECODE may be set)."""
    cmd = [sys.executable, "-m", "bot", "--knowledge", str(knowledge), "ask", "who owns model deployment?"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            return {"error": (done.stderr or done.stdout).strip()[-300:], "command": " ".join(cmd[-4:])}
    bare = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, timeout=60)
        bare.append(time.perf_counter() - start)
    return {"runs": runs, "median_ms": round(1000 * statistics.median(times), 1),
            "min_ms": round(1000 * min(times), 1),
            "python_alone_ms": round(1000 * statistics.median(bare), 1),
            "command": "mlrole ask \"who owns model deployment?\""}


_RSS_PROBE = r"""
import json, sys
def rss():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0
import bot.answers, bot.knowledge, bot.bench.synthetic
before = rss()
import time
start = time.perf_counter()
spec = sys.argv[1]
if spec.startswith('synthetic:'):
    kb = bot.bench.synthetic.build_kb(int(spec.split(':', 1)[1]))
else:
    kb = bot.knowledge.load_knowledge(spec)
answerer = bot.answers.Answerer(kb)
answerer.ask('who owns model deployment?')
after = rss()
print(json.dumps({'rss_before_kib': before, 'rss_after_kib': after, 'entries': len(kb),
                  'load_ms': round(1000 * (time.perf_counter() - start), 1)}))
"""


def rss(spec: str) -> dict[str, Any]:
    """VmRSS after imports and after loading + indexing, in a fresh process for isolation.

    `spec` is a knowledge folder or `synthetic:N`.
    """
    if not Path("/proc/self/status").exists():
        return {"error": "no /proc/self/status on this system"}
    done = subprocess.run([sys.executable, "-c", _RSS_PROBE, spec], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONHASHSEED": "0"})
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-300:]}
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["index_mib"] = round((data["rss_after_kib"] - data["rss_before_kib"]) / 1024, 2)
    data["total_mib"] = round(data["rss_after_kib"] / 1024, 1)
    return data
