"""Answer quality on the evaluation set: ours and baselines scored by the same `evaluate`.

Each baseline is a predict function returning the shape of `Answer.to_json()` (answered, kind,
id, roles), built over the same knowledge base. Their abstention cut-offs are tuned on the
evaluation set itself (the best the baseline could possibly do there), which favours them; ours
runs with its fixed threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from bot.answers import Answerer
from bot.evaluation import Prediction, Question, Report, evaluate, load_questions
from bot.knowledge.model import Entry, KnowledgeBase

Predict = Callable[[str], Prediction]


def entry_text(entry: Entry) -> str:
    """What a document-retrieval baseline indexes for an entry: title, aliases and its prose."""
    body = getattr(entry, "summary", None) or getattr(entry, "detail", None) or ""
    return " ".join([entry.title, *entry.aliases, body])


def entry_prediction(kb: KnowledgeBase, entry: Entry | None) -> Prediction:
    """The answer shape a baseline gives when it settles on `entry` (or abstains on None)."""
    if entry is None:
        return {"answered": False, "kind": None, "id": None, "roles": []}
    if entry.kind == "role":
        roles = [entry.id]
    elif entry.kind == "responsibility":
        roles = list(entry.roles)            # accountable first
    elif entry.kind == "comparison":
        roles = list(entry.roles)
    elif entry.kind == "topic":
        roles = list(entry.roles)
    else:
        roles = kb.roles_in_stage(entry.id)
    return {"answered": True, "kind": entry.kind, "id": entry.id, "roles": roles}


def _best_cutoff(scored: list[tuple[Question, Entry | None, float]], kb: KnowledgeBase) -> float:
    """The abstention cut-off maximising right answers over the whole set (answerable + off-topic)."""
    candidates = sorted({round(s, 6) for _, _, s in scored} | {0.0})
    best, best_right = 0.0, -1
    for cut in candidates:
        right = 0
        for question, entry, score in scored:
            got = entry_prediction(kb, entry if entry is not None and score >= cut and score > 0 else None)
            right += question.is_right(got)
        if right > best_right:
            best, best_right = cut, right
    return best


class Baseline:
    """A top-1 retriever with an abstention cut-off tuned in its favour; subclasses give `top`."""

    name = "baseline"
    kb: KnowledgeBase
    cutoff: float = 0.0

    def top(self, question: str) -> tuple[Entry | None, float]:
        raise NotImplementedError

    def tune(self, questions: list[Question]) -> None:
        scored = [(q, *self.top(q.q)) for q in questions]
        self.cutoff = _best_cutoff(scored, self.kb)

    def __call__(self, question: str) -> Prediction:
        entry, score = self.top(question)
        ok = entry is not None and score > 0 and score >= self.cutoff
        return entry_prediction(self.kb, entry if ok else None)


class BM25Baseline(Baseline):
    """bm25s over each entry's title, aliases and summary/detail; top-1 entry or abstain."""

    name = "bm25"

    def __init__(self, kb: KnowledgeBase) -> None:
        import bm25s

        self._bm25s = bm25s
        self.kb = kb
        self.entries = list(kb.entries())
        corpus = [entry_text(e) for e in self.entries]
        tokens = bm25s.tokenize(corpus, stopwords="en", show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)
        self.vocab = tokens.vocab
        self.cutoff = 0.0

    def top(self, question: str) -> tuple[Entry | None, float]:
        words = self._bm25s.tokenize(question, stopwords="en", return_ids=False, show_progress=False)[0]
        words = [w for w in words if w in self.vocab]
        if not words:
            return None, 0.0
        scores = self.retriever.get_scores(words)
        best = int(scores.argmax())
        return self.entries[best], float(scores[best])



class TitleFuzzBaseline(Baseline):
    """The quick hack: `process.extractOne(question, titles, scorer=WRatio)` with a cut-off."""

    name = "rapidfuzz-title"

    def __init__(self, kb: KnowledgeBase) -> None:
        from rapidfuzz import fuzz, process, utils

        self._extract = lambda q: process.extractOne(q, self.titles, scorer=fuzz.WRatio,
                                                     processor=utils.default_process)
        self.kb = kb
        self.entries = list(kb.entries())
        self.titles = [e.title for e in self.entries]
        self.cutoff = 0.0

    def top(self, question: str) -> tuple[Entry | None, float]:
        hit = self._extract(question)
        if not hit:
            return None, 0.0
        return self.entries[hit[2]], float(hit[1])



def ours(answerer: Answerer) -> Predict:
    def predict(question: str) -> Prediction:
        return answerer.ask(question).to_json()
    return predict


def summarise(report: Report) -> dict[str, Any]:
    everything = report.total
    right_all = report.right + report.abstained
    return {**report.to_json(), "answerable": report.answerable, "right": report.right,
            "off_topic": report.off_topic, "abstained": report.abstained,
            "overall": round(right_all / everything, 4) if everything else 0.0}


def run_quality(kb: KnowledgeBase, questions: list[Question], answerer: Answerer | None = None
                ) -> dict[str, Any]:
    answerer = answerer or Answerer(kb)
    systems: dict[str, dict[str, Any]] = {}
    report = evaluate(ours(answerer), questions)
    from bot.matching import PROBABLY

    systems["mlrole"] = {**summarise(report), "cutoff": PROBABLY, "cutoff_note": "fixed"}
    misses = [{"q": q.q, "want": q.kind and f"{q.kind}:{q.id or ','.join(q.roles)}" or "abstain",
               "got": f"{g.get('kind')}:{g.get('id')}" if g.get("answered") else "abstain"}
              for q, g in report.misses]
    for factory in (BM25Baseline, TitleFuzzBaseline):
        try:
            baseline = factory(kb)
            baseline.tune(questions)
            base_report = evaluate(baseline, questions)
            systems[baseline.name] = {**summarise(base_report), "cutoff": round(baseline.cutoff, 4),
                                      "cutoff_note": "best on this set"}
        except Exception as exc:  # a missing optional package must not sink the benchmark
            systems[factory.name] = {"skipped": f"{type(exc).__name__}: {exc}"}
    systems["embedding"] = {"skipped": "no sentence-embedding runtime installed (torch/onnxruntime); "
                                       "optional baseline not run"}
    scored = {k: v for k, v in systems.items() if "accuracy" in v and k != "mlrole"}
    margin: dict[str, Any] = {}
    if scored:
        best_name = max(scored, key=lambda k: (scored[k]["accuracy"], scored[k]["overall"]))
        best = scored[best_name]
        margin = {"best_baseline": best_name,
                  "accuracy_points": round(100 * (systems["mlrole"]["accuracy"] - best["accuracy"]), 1),
                  "abstention_points": round(100 * (systems["mlrole"]["abstention"] - best["abstention"]), 1),
                  "overall_points": round(100 * (systems["mlrole"]["overall"] - best["overall"]), 1),
                  "error_ratio": _error_ratio(systems["mlrole"]["accuracy"], best["accuracy"])}
    kinds = sorted({k for s in systems.values() for k in s.get("by_kind", {})})
    return {"questions": len(questions), "kinds": kinds, "systems": systems, "margin": margin,
            "misses": misses}


def conversational_sets(folder: Path) -> dict[str, list[Question]]:
    """The blind conversational sets, when the checkout has them (a plain install does not)."""
    files = (("tuning", "conversational.yaml"), ("held_out", "conversational_holdout.yaml"))
    return {name: load_questions(folder / file) for name, file in files if (folder / file).is_file()}


def run_conversational(answerer: Answerer, sets: dict[str, list[Question]]) -> dict[str, Any]:
    """Ours on the blind conversational sets."""
    return {name: summarise(evaluate(ours(answerer), questions)) for name, questions in sets.items()}


def _error_ratio(ours_acc: float, base_acc: float) -> float | None:
    """How many times more answerable questions the baseline gets wrong than ours."""
    ours_err = 1 - ours_acc
    return round((1 - base_acc) / ours_err, 1) if ours_err > 0 else None
