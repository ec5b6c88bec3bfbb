"""What an entry's own words say about a message: BM25 over its text, and its nearest example.

Fuzzy name keys (in `bot.matching`) find what people call a thing; these find what they say
*about* it — which is what a situation ("the dashboard froze…") shares with an entry.
Both are built once per knowledge base version; a question then walks a few posting lists.
"""

from __future__ import annotations

import math
from functools import lru_cache

from bot.text import fold, key_from_plain

KNN_MIN_SHARED = 2
"""An example shares at least this many words with a question before it counts as a neighbour."""
KNN_COMMON = 0.1
"""A word in more than this share of the examples does not on its own make one a neighbour."""

K1, B = 1.6, 0.5
_FIELD_WEIGHTS = {"title": 3.0, "alias": 2.0, "example": 1.0, "text": 1.0}


@lru_cache(maxsize=65536)
def _phrase_tokens(phrase: str) -> frozenset[str]:
    """A knowledge base phrase's tokens: cached, as both text indexes read the examples."""
    return frozenset(key_from_plain(fold(phrase)).split())


def _entry_fields(entry) -> list[tuple[str, float]]:
    text = [getattr(entry, name, "") for name in ("summary", "detail")]
    text += list(getattr(entry, "points", ()))
    fields = [(entry.title, _FIELD_WEIGHTS["title"])]
    fields += [(a, _FIELD_WEIGHTS["alias"]) for a in entry.aliases]
    fields += [(x, _FIELD_WEIGHTS["example"]) for x in entry.examples]
    fields += [(t, _FIELD_WEIGHTS["text"]) for t in text if t]
    return fields


class Documents:
    """BM25 over each entry's own words: title, aliases, examples and prose, weighted in that order.

    Fuzzy keys find what people call a thing; this finds what they say *about* it, which is what
    a situation ("the dashboard froze…") shares with an entry.
    """

    def __init__(self, entries: list) -> None:
        counts: list[dict[str, float]] = []
        for entry in entries:
            tf: dict[str, float] = {}
            for phrase, weight in _entry_fields(entry):
                for token in _phrase_tokens(phrase):
                    tf[token] = tf.get(token, 0.0) + weight
            counts.append(tf)
        total = max(len(entries), 1)
        average = sum(sum(tf.values()) for tf in counts) / total or 1.0
        df: dict[str, int] = {}
        for tf in counts:
            for token in tf:
                df[token] = df.get(token, 0) + 1
        self.df = df
        """Entries each word appears in."""
        self.idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in df.items()}
        rows: dict[str, tuple[list[int], list[float]]] = {}
        for number, tf in enumerate(counts):
            norm = K1 * (1 - B + B * sum(tf.values()) / average)
            for token, f in tf.items():
                ids, weights = rows.setdefault(token, ([], []))
                ids.append(number)
                weights.append(f * (K1 + 1) / (f + norm))
        self.postings = rows
        self.best = {t: max(w) for t, (_, w) in rows.items()}
        self.tokens = [frozenset(tf) for tf in counts]

    def score(self, weights: dict[str, float]) -> dict[int, float]:
        """Per entry with evidence: the share of the question's known evidence it accounts for (0–1)."""
        scores: dict[int, float] = {}
        possible = 0.0
        for token, weight in weights.items():
            posting = self.postings.get(token)
            if posting is None:
                continue
            mass = weight * self.idf[token]
            for number, tf_weight in zip(*posting):
                scores[number] = scores.get(number, 0.0) + mass * tf_weight
            possible += mass * self.best[token]
        if possible:
            return {number: score / possible for number, score in scores.items()}
        return scores



class Examples:
    """Nearest example question per entry (tf-idf cosine): people ask alike about the same thing.

    Only examples sharing a telling word with the question are compared with it: words in more
    than one example in `KNN_COMMON` ("model", "data") say too little to pick a neighbour out.
    """

    def __init__(self, entries: list) -> None:
        token_sets: list[frozenset[str]] = []
        owner: list[int] = []
        for number, entry in enumerate(entries):
            for example in entry.examples:
                tokens = _phrase_tokens(example)
                if tokens:
                    token_sets.append(tokens)
                    owner.append(number)
        total = max(len(token_sets), 1)
        df: dict[str, int] = {}
        for tokens in token_sets:
            for token in tokens:
                df[token] = df.get(token, 0) + 1
        self.square = {t: math.log(1 + total / n) ** 2 for t, n in df.items()}  # idf², the cosine's weights
        telling = max(KNN_COMMON * total, 2)
        self.by_token: dict[str, list[int]] = {}
        common: dict[str, list[int]] = {}
        for number, tokens in enumerate(token_sets):
            for token in tokens:
                (self.by_token if df[token] <= telling else common).setdefault(token, []).append(number)
        self.common = {token: frozenset(numbers) for token, numbers in common.items()}
        """The examples holding each common word: intersected with the neighbours found, in C."""
        self.norms = [math.sqrt(sum(self.square[t] for t in tokens)) for tokens in token_sets]
        self.owner = owner

    def score(self, weights: dict[str, float]) -> dict[int, float]:
        """Per entry: the cosine of the question with its nearest example (0–1).

        The telling words' posting lists find the examples and add up their part; the common
        words then add theirs to those examples only. Sums run in the question's word order, so
        the result never depends on set order."""
        square, by_token = self.square, self.by_token
        known = [t for t in weights if t in square]
        if len(known) < KNN_MIN_SHARED:
            return {}
        norm = math.sqrt(sum((weights[t] ** 2) * square[t] for t in known))
        sims: dict[int, float] = {}  # each shared word adds _HIT too: the count rides in the sum
        get = sims.get
        common = []
        for token in known:
            posting = by_token.get(token)
            if posting is None:
                common.append(token)
                continue
            part = weights[token] * square[token] + _HIT
            for example in posting:
                sims[example] = get(example, 0.0) + part
        for token in common:
            part = weights[token] * square[token] + _HIT
            for example in sims.keys() & self.common[token]:
                sims[example] += part
        best: dict[int, float] = {}
        owner, norms = self.owner, self.norms
        enough = KNN_MIN_SHARED * _HIT
        for example, sim in sims.items():
            if sim < enough:
                continue
            sim = (sim % _HIT) / (norms[example] * norm)
            entry = owner[example]
            if sim > best.get(entry, 0.0):
                best[entry] = sim
        return best


_HIT = 65536.0
"""Far above any sum of a message's word weights (idf² of a few dozen words), so count and sum part cleanly."""
