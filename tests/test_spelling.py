"""The deletion index finds the same closest word as comparing against every word would."""

from __future__ import annotations

import random
import string

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.spelling import NearWords

WORDS = ["deployment", "monitoring", "annotation", "labeler", "pipelines", "kubernetes", "containerization",
         "researcher", "scientist", "engineer", "optimization", "versioning", "domain", "charts", "analyst",
         "responsibilities", "infrastructure", "troubleshooting"]


def _typos(word: str, rnd: random.Random) -> list[str]:
    out = []
    for _ in range(40):
        x = list(word)
        for _ in range(rnd.choice((1, 1, 2, 3))):
            i = rnd.randrange(len(x))
            op = rnd.randrange(4)
            if op == 0:
                x[i] = rnd.choice(string.ascii_lowercase)
            elif op == 1 and len(x) > 2:
                del x[i]
            elif op == 2:
                x.insert(i, rnd.choice(string.ascii_lowercase))
            elif i + 1 < len(x):
                x[i], x[i + 1] = x[i + 1], x[i]
        out.append("".join(x))
    return out


def test_same_answer_as_a_full_scan():
    near = NearWords(WORDS)
    rnd = random.Random(7)
    checked = 0
    for word in WORDS:
        for typo in _typos(word, rnd):
            full = process.extractOne(typo, sorted(WORDS), scorer=OSA.normalized_similarity, score_cutoff=0.8)
            assert near.closest(typo) == (full[0] if full else None), typo
            checked += 1
    assert checked == 40 * len(WORDS)


def test_swapped_letters_and_unrelated_words():
    near = NearWords(WORDS)
    assert near.closest("domian") == "domain"
    assert near.closest("monitorign") == "monitoring"
    assert near.closest("breakfast") is None
