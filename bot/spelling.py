"""The knowledge base word a misspelt word was meant to be, found without comparing it to them all.

Every word of the knowledge base is filed under the strings left when one or two of its letters
are deleted. Two words within d edits (substitutions, insertions, deletions or swaps of two
neighbours) leave a common string once d letters are deleted from each, so a word's own
deletions find every close candidate with a few dictionary look-ups; rapidfuzz then scores
just those. This is what keeps an unseen word in a question at a few microseconds.
"""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import OSA

LONG = 8
"""From this length on a word is filed under two deletions, so that pairs of words ten letters
or longer, which a similarity of 0.8 lets differ by two edits, still meet."""
VERY_LONG = 15
"""Words this long may be three edits from a close one, beyond what two deletions reach."""
BEYOND = 12
"""From this length on a word may be three edits from a very long one: those are scored directly."""


def _deletions(word: str) -> set[str]:
    once = {word[:i] + word[i + 1:] for i in range(len(word))}
    if len(word) < LONG:
        return once | {word}
    twice = {w[:i] + w[i + 1:] for w in once for i in range(len(w))}
    return once | twice | {word}


class NearWords:
    """Closest word by OSA similarity, as `process.extractOne` over all of them would find it."""

    def __init__(self, words) -> None:
        self.words = sorted(set(words))
        self._filed: dict[str, list[str]] | None = None  # built on the first unknown word
        self._very_long = [w for w in self.words if len(w) >= VERY_LONG]

    def prepare(self) -> None:
        self._index()

    def _index(self) -> dict[str, list[str]]:
        if self._filed is None:
            filed: dict[str, list[str]] = {}
            for word in self.words:
                for variant in _deletions(word):
                    filed.setdefault(variant, []).append(word)
            self._filed = filed
        return self._filed

    def closest(self, word: str, cutoff: float = 0.8) -> str | None:
        if len(word) >= VERY_LONG:  # three edits or more may be close enough: look at every word
            candidates = {w for w in self.words if abs(len(w) - len(word)) <= len(word) // 4 + 1}
        else:
            filed = self._index()
            candidates = {w for variant in _deletions(word) for w in filed.get(variant, ())}
            if len(word) >= BEYOND:
                candidates.update(self._very_long)
        if not candidates:
            return None
        hit = process.extractOne(word, sorted(candidates), scorer=OSA.normalized_similarity, score_cutoff=cutoff)
        return hit[0] if hit else None
