"""Synthetic knowledge bases of any size, for measuring how the matcher scales.

Entries are built as the frozen model objects directly (what the loader would produce), with
plausible titles and aliases drawn from word lists, unique in canonical form, so the matcher
faces the overlap a real large organisation has: many entries share a domain or a task word.
`write_yaml` writes the same base as a knowledge folder the loader accepts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.model import (
    Comparison,
    KnowledgeBase,
    Responsibility,
    Role,
    Source,
    Stage,
    Topic,
)

DOMAINS = """fraud vision speech search ranking pricing forecasting recommendation ads payments
logistics supply robotics genomics imaging credit insurance churn retention growth catalog
inventory routing mapping weather energy climate chemistry radiology pathology translation
dialogue sentiment moderation identity security telemetry sensor satellite traffic retail
marketing billing lending trading audio video music gaming""".split()
SPECIALTIES = """platform modelling inference training evaluation labelling feature streaming
batch experimentation causal bayesian graph geospatial multimodal multilingual embedded edge
realtime privacy fairness reliability quality tabular generative""".split()
FUNCTIONS = [("engineer", "eng"), ("analyst", "analytics"), ("scientist", "science"),
             ("researcher", "research"), ("architect", "architecture"), ("specialist", "specialism"),
             ("developer", "dev"), ("manager", "mgr"), ("lead", "leadership"), ("curator", "curation"),
             ("strategist", "strategy"), ("auditor", "audit")]
ACTIVITIES = [("monitoring", "monitor"), ("maintaining", "maintain"), ("designing", "design"),
              ("auditing", "audits"), ("scaling", "scale"), ("documenting", "docs"),
              ("testing", "tests"), ("optimising", "optimise"), ("migrating", "migration"),
              ("securing", "secure"), ("budgeting", "budget"), ("benchmarking", "benchmark"),
              ("versioning", "version"), ("deploying", "deploy"), ("validating", "validate"),
              ("cleaning", "clean"), ("reviewing", "review"), ("archiving", "archive")]
OBJECTS = """pipelines dashboards datasets schemas models features labels experiments reports
alerts clusters notebooks embeddings indexes contracts metrics baselines checkpoints
annotations queries""".split()
TOPIC_WORDS = """playbook handbook checklist primer guidelines glossary charter faq
onboarding retrospective""".split()
STAGE_TITLES = [("formulation", "Problem Formulation"), ("data-engineering", "Data Engineering"),
                ("modeling", "Modelling"), ("deployment", "Deployment")]

OFF_TOPIC = [
    "what's the weather in paris tomorrow", "best pizza near the office", "how do I reset my laptop password",
    "when is the next public holiday", "can you book a meeting room", "tell me a joke",
    "what is the capital of australia", "lunch menu today", "how tall is mount everest",
    "who won the football last night", "recipe for banana bread", "is the coffee machine broken",
]


@dataclass(frozen=True)
class SynthQuestion:
    q: str
    kind: str | None      # None: off-topic, must abstain
    id: str | None
    shape: str            # hit, typo, comparison, off-topic


def _slug(text: str) -> str:
    return "-".join(text.lower().split())


def build_kb(n: int, seed: int = 7) -> KnowledgeBase:
    """About `n` entries: ~20% roles, ~70% responsibilities, ~8% topics, stages, a few comparisons."""
    rng = random.Random(seed)
    n_stages = 4 if n >= 40 else 1
    n_comparisons = min(50, n // 100)
    n_roles = max(2, n // 5)
    n_topics = n // 12
    n_resps = max(1, n - n_stages - n_comparisons - n_roles - n_topics)
    stages = {sid: Stage(sid, title, (), i + 1, f"The {title.lower()} stage.", ("synthetic",))
              for i, (sid, title) in enumerate(STAGE_TITLES[:n_stages])}
    stage_ids = list(stages)

    role_combos = [(d, s, f) for d in DOMAINS for s in SPECIALTIES for f in FUNCTIONS]
    rng.shuffle(role_combos)
    resp_combos = [(a, d, o) for a in ACTIVITIES for d in DOMAINS for o in OBJECTS]
    rng.shuffle(resp_combos)
    assert n_roles <= len(role_combos) and n_resps + n_topics <= len(resp_combos)

    role_rows = []
    for domain, spec, (func, short) in role_combos[:n_roles]:
        title = f"{domain.title()} {spec.title()} {func.title()}"
        rid = _slug(title)
        aliases = (f"{domain} {spec} {short}", f"{spec} {func} for {domain}")
        role_rows.append((rid, title, aliases, domain))
    role_ids = [r[0] for r in role_rows]

    responsibilities: dict[str, Responsibility] = {}
    owned: dict[str, list[str]] = {r: [] for r in role_ids}
    for (act, verb), domain, obj in resp_combos[:n_resps]:
        title = f"{act.title()} {domain} {obj}"
        rid = _slug(title)
        parts = rng.sample(role_ids, k=min(3, len(role_ids)))
        accountable, others = parts[0], parts[1:]
        responsibilities[rid] = Responsibility(
            rid, title, (f"{domain} {obj} {verb}", f"{verb} the {domain} {obj}"),
            f"Who {act} the {domain} {obj} and keeps them healthy.", rng.choice(stage_ids),
            accountable, tuple(others[:1]), tuple(others[1:]), (), ("synthetic",))
        owned[accountable].append(rid)
        for other in others:
            owned[other].append(rid)

    roles = {}
    for rid, title, aliases, domain in role_rows:
        mates = tuple(r for r in rng.sample(role_ids, k=min(3, len(role_ids))) if r != rid)
        roles[rid] = Role(rid, title, aliases, f"The {title} looks after {domain} work.",
                          tuple(owned[rid]), ("python",), ("sql",), mates,
                          (rng.choice(stage_ids),), ("synthetic",))

    topics = {}
    for (act, verb), domain, obj in resp_combos[n_resps:n_resps + n_topics]:
        word = rng.choice(TOPIC_WORDS)
        title = f"{domain.title()} {obj} {word}"
        tid = _slug(f"{title} {verb}")
        topics[tid] = Topic(tid, f"{title} ({verb})", (f"{verb} {domain} {obj} {word}",),
                            f"The {word} for {domain} {obj}.", (f"{act} {obj}",),
                            tuple(rng.sample(role_ids, k=min(2, len(role_ids)))), None, ("synthetic",))

    comparisons = {}
    for i in range(n_comparisons):
        first, second = role_ids[2 * i], role_ids[2 * i + 1]
        cid = f"{first}-vs-{second}"
        title = f"{roles[first].title} vs {roles[second].title}"
        comparisons[cid] = Comparison(cid, title, (), (first, second), f"How {title} differ.", (),
                                      ("synthetic",))
    sources = {"synthetic": Source("synthetic", "Synthetic benchmark data", "synthetic.md")}
    return KnowledgeBase(roles, responsibilities, stages, topics, comparisons, sources, f"synthetic-{n}")


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) >= 5:
        j = rng.randrange(1, len(word) - 2)
        word = word[:j] + word[j + 1] + word[j] + word[j + 2:]
    words[i] = word
    return " ".join(words)


def questions_for(kb: KnowledgeBase, count: int = 300, seed: int = 11) -> list[SynthQuestion]:
    """A mix: 35% owner look-ups, 25% role look-ups, 15% typos, 10% comparisons, 15% off-topic."""
    rng = random.Random(seed)
    roles, resps = list(kb.roles.values()), list(kb.responsibilities.values())
    out: list[SynthQuestion] = []
    for i in range(count):
        pick = rng.random()
        if pick < 0.35:
            r = rng.choice(resps)
            out.append(SynthQuestion(f"who owns {r.title.lower()}?", "responsibility", r.id, "hit"))
        elif pick < 0.60:
            r = rng.choice(roles)
            out.append(SynthQuestion(f"what does a {r.title.lower()} do?", "role", r.id, "hit"))
        elif pick < 0.75:
            r = rng.choice(resps)
            out.append(SynthQuestion(f"who handles {_typo(r.title.lower(), rng)}", "responsibility", r.id,
                                     "typo"))
        elif pick < 0.85 and len(roles) >= 2:
            a, b = rng.sample(roles, 2)
            out.append(SynthQuestion(f"{a.title.lower()} vs {b.title.lower()}", "comparison", None,
                                     "comparison"))
        else:
            out.append(SynthQuestion(rng.choice(OFF_TOPIC), None, None, "off-topic"))
    return out


def write_yaml(kb: KnowledgeBase, root: Path) -> Path:
    """Write `kb` as a knowledge folder (the loader's layout), for start-up and load tests."""
    import yaml

    folders = {"role": "roles", "responsibility": "responsibilities", "stage": "stages",
               "topic": "topics", "comparison": "comparisons"}
    for folder in folders.values():
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "sources.yaml").write_text(yaml.safe_dump(
        [{"id": s.id, "title": s.title, "file": s.file} for s in kb.sources.values()]), encoding="utf-8")
    for entry in kb.entries():
        data = {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(entry).items() if k != "kind"}
        if entry.kind == "topic" and data.get("stage") is None:
            data.pop("stage")
        (root / folders[entry.kind] / f"{entry.id}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root
