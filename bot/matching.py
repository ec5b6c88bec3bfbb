"""Map what people type onto knowledge base entries, or abstain.

Everything that depends only on the knowledge base (canonical keys, vocabulary, inverted index)
is computed once in `Matcher.__init__`; a question then costs a handful of dict look-ups and one
rapidfuzz pass over the few keys that share a word with it.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import compress

from rapidfuzz import fuzz, process

from bot.evidence import Documents, Examples
from bot.knowledge.model import KnowledgeBase
from bot.reading import (
    LOOSE_WORDS,
    Reading,
    asked_about,
    asks_about_a_title_before,
    everyday_words,
    job_titles,
    message_words,
    read_message,
    speaks_ml,
)
from bot.shapes import (
    about_working_together,
    asks_owner,
    asks_role_duties,
    asks_to_choose,
    contrast,
    intents,
    role_shaped,
    topic_shaped,
    without_relative_who,
)
from bot.smalltalk import small_talk
from bot.spelling import NearWords
from bot.text import (
    MAX_QUESTION_CHARS,
    STOPWORDS,
    key_from_plain,
    match_key,
    normalise,
    stem,
)

# Scores run 0-100. The weights below were set by hand and then checked with a coordinate search on
# the tuning half of tests/eval/conversational*.yaml: each sits at a local optimum there.
SURE = 68.0
"""From this score on the bot answers outright."""
PROBABLY = 56.0
"""From this score on the bot answers with its best guess and says so; below it, it abstains."""
FUZZY_SHARE = 0.6
TEXT_SHARE = 45.0
CONTEXT_WEIGHT = 0.5
CONTEXT_DISCOUNT = 0.9
CONTEXT_POOL = 20
"""Name keys scored against the whole message: context adds evidence, so fewer keys need a look."""
ROLE_LEAD = 5.0
"""A task this far ahead of a role the message names is what it asks about."""
EXACT_BONUS = 5.0
TASK_MASS = 2.5
"""Words besides the roles a message names, in idf: enough to be asking about a task instead."""
NAMED_ROLE_BONUS = 12.0
SUPPORTED_FUZZY = 70.0
SUPPORT_CHECKS = 6
EVERYDAY_WEIGHT = 2
SUPPORTED_MASS = 2.5
SUGGESTION_FLOOR = 45.0
CHOICE_FLOOR = 38.0
"""A who-question choosing between two named roles takes its task from this score on."""
INTENT_BONUS = 8.0
OTHER_ROLES_TOPIC = 16.0
"""A topic about other roles than the ones a message names (MLE salaries, for a DE question) steps back this far."""
KNN_SHARE = 20.0
"""Points an entry gets, times the cosine, for its example nearest to the message."""
CANDIDATES = 48

OWNER_OVER_TOPIC = 30.0
"""How far below a topic a task may score and still answer a question asking who owns something."""
LOOSE_DF = 0.2
"""A word in more than this share of entries tells too little to vouch for a loose word."""


@dataclass(frozen=True)
class Candidate:
    kind: str
    id: str
    title: str
    score: float


@dataclass(frozen=True)
class Match:
    """The matcher's verdict: the best entry when confident, nearest entries either way."""

    question: str
    best: Candidate | None
    suggestions: tuple[Candidate, ...] = ()
    roles: tuple[str, ...] = ()          # for comparisons: the two role ids, in the order asked
    truncated: bool = False
    confidence: str | None = None        # "sure", "probably", or None when not answered
    small_talk: str | None = None        # "greeting", "thanks", "bye", "help": not a question at all
    unknown_role: str | None = None      # a job title asked about that the knowledge base lacks

    @property
    def answered(self) -> bool:
        return self.best is not None


@dataclass
class _Index:
    keys: list[str] = field(default_factory=list)         # canonical key strings
    key_entry: list[int] = field(default_factory=list)    # key -> entry number
    exact: dict[str, int] = field(default_factory=dict)   # canonical key -> entry number
    by_token: dict[str, list[int]] = field(default_factory=dict)  # token -> key numbers
    key_weight: list[float] = field(default_factory=list)         # summed idf of a key's tokens
    key_tokens: list[tuple[str, ...]] = field(default_factory=list)   # a key's distinct tokens, sorted
    key_idfs: list[tuple[float, ...]] = field(default_factory=list)   # their idf, in that order
    sorted_keys: list[str] = field(default_factory=list)  # a key's words sorted, as token_sort_ratio compares them
    one_word: dict[str, int] = field(default_factory=dict)  # a one-word key -> its key number
    _members: dict[str, frozenset[int]] = field(default_factory=dict)

    def members(self, token: str) -> frozenset[int]:
        found = self._members.get(token)
        if found is None:
            found = self._members[token] = frozenset(self.by_token.get(token, ()))
        return found


class Matcher:
    """Precomputed look-up tables over one knowledge base version."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.all = _Index()
        self.roles = _Index()
        token_entries: dict[str, set[int]] = {}
        self._spelling: dict[str, str] = {}  # a word as written in the knowledge base -> its token
        self._task_named: dict[str, int] = {}  # a name another entry took first -> the task also called so
        entries = list(kb.entries())
        self.entries = [Candidate(e.kind, e.id, e.title, 0.0) for e in entries]
        # Titles and aliases first, ids last: an id only answers to its words if nothing else does.
        phrases = [(n, p) for n, e in enumerate(entries) for p in (e.title, *e.aliases)]
        phrases += [(n, e.id.replace("-", " ")) for n, e in enumerate(entries)]
        for number, phrase in phrases:
            plain = normalise(phrase)
            key = key_from_plain(plain)
            if not key:
                continue
            is_role = self.entries[number].kind == "role"
            for index in (self.all, self.roles) if is_role else (self.all,):
                if key in index.exact:
                    if index is self.all and self.entries[number].kind == "responsibility":
                        self._task_named.setdefault(key, number)
                    continue
                index.exact[key] = number
                index.key_entry.append(number)
                index.keys.append(key)
                for token in set(key.split()):
                    index.by_token.setdefault(token, []).append(len(index.keys) - 1)
                if " " not in key:
                    index.one_word[key] = len(index.keys) - 1
            for token in key.split():
                token_entries.setdefault(token, set()).add(number)
            for word in plain.split():
                if word not in STOPWORDS:
                    self._spelling[word] = stem(word)
        total = max(len(self.entries), 1)
        self.idf = {t: math.log(1 + total / len(e)) for t, e in token_entries.items()}
        for index in (self.all, self.roles):
            index.key_tokens = [tuple(sorted(set(k.split()))) for k in index.keys]
            index.key_idfs = [tuple(self.idf[t] for t in tokens) for tokens in index.key_tokens]
            index.key_weight = [sum(weights) or 1.0 for weights in index.key_idfs]
            index.sorted_keys = [" ".join(sorted(k.split())) for k in index.keys]
        self._idf_unknown = math.log(1 + total)
        self.documents = Documents(entries)
        self.examples = Examples(entries)
        # words that cannot vouch for a loose word: the loose ones, and those in too many entries to tell
        self._vague = LOOSE_WORDS | {t for t, n in self.documents.df.items() if n > LOOSE_DF * total}
        self._asked_before = self._examples_by_key(entries)
        self._role_spans = self._build_role_spans()
        self._topic_roles = [frozenset(getattr(e, "roles", ()) if e.kind == "topic" else ()) for e in entries]
        self._entry_number = {(e.kind, e.id): n for n, e in enumerate(self.entries)}
        self._multiword_keys = [[] for _ in entries]
        for key, number in self.all.exact.items():
            if " " in key:
                self._multiword_keys[number].append(key)
        self._name_tokens = [frozenset(t for phrase in (e.title, *e.aliases) for t in match_key(phrase).split())
                             for e in entries]
        role_names = [(normalise(p), n) for n, e in enumerate(entries) if e.kind == "role"
                      for p in (e.title, *e.aliases)]
        self._role_names = [name for name, _ in role_names]
        self._role_name_entry = [n for _, n in role_names]
        self._near_spelling = NearWords(self._spelling)
        self._correct = lru_cache(maxsize=16384)(self._correct_uncached)
        self._fuzzy = lru_cache(maxsize=64)(self._fuzzy_uncached)  # a message's tasks are weighed more than once
        self._ranked = lru_cache(maxsize=4096)(self._rank)  # people ask the same things over and over

    def prepare(self) -> None:
        """Build what is otherwise built on first need, so that a server's first question waits for nothing."""
        self._near_spelling.prepare()

    # -- text to tokens ---------------------------------------------------------------------

    def _canonical_plain(self, plain: str) -> str:
        """Like `match_key`, but misspelt words are mapped to the knowledge base's own words."""
        correct = self._correct
        return " ".join(t for t in map(correct, plain.split()) if t)

    def _correct_uncached(self, raw: str) -> str | None:
        """Map a word to the knowledge base's spelling, or None for a question word.

        Only words of six letters or more are corrected: shorter ones are too often another
        real word one letter away ("lunch" is not "launch"), and a wrong correction is worse
        than none.
        """
        if raw in STOPWORDS:
            return None
        token = stem(raw)
        if token in self.idf or len(raw) < 5 or raw.isdigit():
            return token
        if token in STOPWORDS:
            return None  # "tells" is "tell"
        if token in self.documents.idf:
            return token  # a word the knowledge base itself uses is no typo
        near_stopwords = _stopwords_near(len(raw))
        if near_stopwords and process.extractOne(raw, near_stopwords, scorer=fuzz.ratio, score_cutoff=88):
            return None
        if len(raw) < 6:
            return token
        # edits with transpositions: "domian" is one swap from "domain", "chairs" two edits from "charts"
        hit = self._near_spelling.closest(raw, 0.8)
        if not hit or hit.startswith(token) or raw.startswith(stem(hit)):
            return token  # another form of the same word ("breaks", "breakers") is not a typo
        return self._spelling[hit]

    # -- scoring ------------------------------------------------------------------------------

    def _score(self, query: str, index: _Index, compare: bool = False,
               pool: int = CANDIDATES) -> dict[int, float]:
        """Best score per entry for the `pool` keys sharing the most with the query.

        token_sort_ratio is rapidfuzz's ratio of the two strings with their words sorted: the
        keys are sorted once at build time and the query once here, not once per key."""
        if not query:
            return {}
        tokens = set(query.split())
        idf = self.idf
        by_token = index.by_token
        # Only the keys sharing the most (rarest) words with the question go to rapidfuzz.
        overlap: dict[int, float] = {}
        for token in sorted(filter(by_token.__contains__, tokens), key=lambda t: (-idf[t], t)):  # rarest first
            keys = by_token[token]
            weight = idf[token]
            if len(overlap) >= pool and len(keys) > len(overlap):
                members = index.members(token)  # a common word only adds to the keys found so far
                for key in overlap:
                    if key in members:
                        overlap[key] += weight
            else:
                get = overlap.get
                for key in keys:
                    overlap[key] = get(key, 0.0) + weight
        if not overlap:
            return {}
        if len(overlap) > pool:
            numbers = sorted(overlap, key=overlap.__getitem__, reverse=True)[:pool]
            # a name said in full in one word ("labeling") is always a candidate, however common
            numbers += [k for k in map(index.one_word.get, sorted(tokens)) if k is not None and k not in numbers]
        else:
            numbers = list(overlap)
        choices = [index.keys[k] for k in numbers]
        known = math.fsum(idf[t] for t in tokens if t in idf)
        unknown = self._idf_unknown * sum(1 for t in tokens if t not in idf)
        coverage = known / (known + unknown) if known + unknown else 0.0
        scores: dict[int, float] = {}
        exact = index.exact.get(query)
        if exact is not None and (compare or self.entries[exact].kind != "comparison"):
            scores[exact] = 100.0
        subset = process.extract(query, choices, scorer=fuzz.token_set_ratio, processor=None,
                                 limit=25, score_cutoff=SUGGESTION_FLOOR)
        reach = 0.65 + 0.35 * coverage
        in_order = " ".join(sorted(query.split()))
        has = tokens.__contains__
        for _, set_score, position in subset:
            number = numbers[position]
            entry = index.key_entry[number]
            if set_score * reach <= scores.get(entry, 0.0):
                continue  # the sorted-token ratio never beats the set ratio: this key can't win
            if not compare and self.entries[entry].kind == "comparison":
                continue
            sort_score = fuzz.ratio(in_order, index.sorted_keys[number], processor=None)
            shared = sum(compress(index.key_idfs[number], map(has, index.key_tokens[number])))
            key_coverage = shared / index.key_weight[number]
            explained = min(shared / known, 1.0) if known else 0.0
            score = ((0.6 * set_score + 0.4 * sort_score) * reach
                     * (0.8 + 0.2 * key_coverage)) - 4.0 * (1.0 - explained)
            if score > scores.get(entry, 0.0):
                scores[entry] = score
        return scores

    # -- public ---------------------------------------------------------------------------------

    def match(self, question: str) -> Match:
        text = question if isinstance(question, str) else str(question)
        truncated = len(text) > MAX_QUESTION_CHARS
        found = self._ranked(text[: MAX_QUESTION_CHARS * 2])
        if found.question == text and not truncated:
            return found  # frozen: a copy saying the same would only cost time
        return replace(found, question=text, truncated=truncated)

    def _rank(self, text: str) -> "Match":
        """Read the message, decide its shape, then score the entries that fit it."""
        talk = small_talk(text)
        if talk:
            return Match(text, None, small_talk=talk)
        reading = read_message(text)
        whole = self._canonical_plain(reading.whole).split()
        focus = self._canonical_plain(reading.focus).split() if reading.context else whole
        key = " ".join(whole)
        asked = self._asked_before.get(key_from_plain(reading.whole))
        if asked is not None:
            return self._exactly(text, asked, key)
        exact = self.all.exact.get(key)
        if (exact is not None and self.entries[exact].kind == "stage" and key in self._task_named
                and "owner" in intents(reading.focus)):
            exact = self._task_named[key]  # "who owns problem formulation?": the task, not the stage
        mentions = self.role_mentions(whole)
        named = list(dict.fromkeys(role for _, role, _ in mentions))
        if (exact is not None and self.entries[exact].kind not in ("comparison", "stage")
                and not reading.context and not (len(named) >= 2 and contrast(reading.whole) in ("strong", "weak"))):
            return self._exactly(text, exact, key)  # but "is a DS basically an MLE?" is no "DS to MLE"
        unknown = self._unknown_role(reading, named)
        if unknown:
            return Match(text, None, self.closest_roles(unknown), unknown_role=unknown)
        scored = self._candidates(reading, whole, focus, named)
        decided = self._two_roles(text, reading, whole, focus, mentions, named, scored)
        if isinstance(decided, Match):
            return decided
        scored, chosen_task = decided
        if len(named) == 1:
            scored = self._prefer_named_role(reading, whole, focus, mentions, named[0], scored)
        scored = self._owner_before_topic(reading, scored)
        # past its first, the ranking runs best first: the answer and its three suggestions are among its first four
        candidates = [Candidate(e.kind, e.id, e.title, round(min(sc, 100.0), 1)) for sc, e in scored[:4]]
        top = candidates[0] if candidates else None
        if top is not None and not named and self._other_sense(reading, whole, top):
            return Match(text, None, tuple(candidates[:3]))
        confidence = None
        if top is not None and top.score >= SURE:
            confidence = "sure"
        elif top is not None and (top.score >= PROBABLY or (
                chosen_task is not None and top.id == chosen_task.id and top.score >= CHOICE_FLOOR)):
            confidence = "probably"
        best = top if confidence else None
        rest = tuple(c for c in candidates if c is not best and c.score >= SUGGESTION_FLOOR)[:3]
        roles: tuple[str, ...] = ()
        if best and best.kind == "comparison":
            roles = self.kb.comparisons[best.id].roles
        return Match(text, best, rest, roles, confidence=confidence)

    def _two_roles(self, text: str, reading: Reading, whole: list[str], focus: list[str],
                   mentions: list[tuple[int, str, int]], named: list[str],
                   scored: list[tuple[float, Candidate]]) -> "Match | tuple[list, Candidate | None]":
        """A message naming two roles compares them, unless it asks which of them owns a task.

        Returns the comparison as a Match, or the ranking (with the task put first, when one was
        chosen over the comparison) and that task."""
        cue = contrast(reading.whole)
        if len(named) < 2 or not cue or (cue == "and" and self._without_roles(whole, mentions)):
            return scored, None
        about_roles = asks_to_choose(reading.whole) or (
            cue == "strong" and not asks_owner(without_relative_who(reading.whole)))
        how_together = about_working_together(reading.focus)
        mass = math.fsum(self.documents.idf.get(t, 0.0) for t in set(self._without_roles(whole, mentions)))
        # too little besides the roles: no task could be chosen, so none is looked for
        task = (None if (about_roles and not how_together) or mass < TASK_MASS
                else self._task_without_roles(reading, whole, focus, mentions))
        if about_roles and task is not None and not (task[1].kind == "topic" and task[0] >= PROBABLY):
            task = None  # "how should DS and MLE work together — same manager? slack vs talking?": the topic
        offered = task is not None and (asks_owner(reading.whole) or self._names_an_entry(reading.whole, task[1]))
        needed = CHOICE_FLOOR if cue == "weak" and offered else PROBABLY
        if task is None or task[0] < needed:
            best, pair, roles = self._pair(named[0], named[1])
            return Match(text, best, pair, roles, confidence="sure" if best.score >= SURE else "probably")
        return [task, *(c for c in scored if c[1] is not task[1])], task[1]

    @staticmethod
    def _examples_by_key(entries: list) -> dict[str, int]:
        """An entry's examples are questions it is known to answer: asked again, they need no guess.

        A wording two entries both claim is left out: then neither is known to be the answer."""
        found: dict[str, int] = {}
        claimed_twice: set[str] = set()
        for number, entry in enumerate(entries):
            if entry.kind == "comparison":
                continue  # a comparison answers in the order its question names the roles
            for example in entry.examples:
                key = key_from_plain(message_words(example))
                if key and found.setdefault(key, number) != number:
                    claimed_twice.add(key)
        return {key: number for key, number in found.items() if key not in claimed_twice}

    def _exactly(self, text: str, number: int, query: str) -> "Match":
        """The message is an entry's own name or alias: the curated answer, no guessing needed.

        The nearest other entries still come along as suggestions."""
        entry = self.entries[number]
        others = sorted(((score, n) for n, score in self._score(query, self.all).items() if n != number),
                        reverse=True)[:3]
        suggestions = tuple(Candidate(self.entries[n].kind, self.entries[n].id, self.entries[n].title,
                                      round(min(score, 100.0), 1)) for score, n in others if score >= SUGGESTION_FLOOR)
        return Match(text, Candidate(entry.kind, entry.id, entry.title, 100.0), suggestions,
                     confidence="sure")

    def _fuzzy_uncached(self, focus: tuple[str, ...], whole: tuple[str, ...], compare: bool) -> dict[int, float]:
        """Fuzzy name scores for the asking part, and (discounted) for the whole message.

        The whole message is scored only when its context holds a word of some name: otherwise it
        can only score the same keys again, lower (identical answers on all 1,635 evaluation
        questions, a fifth less time on chatty ones)."""
        fuzzy = self._score(" ".join(focus), self.all, compare=compare)
        by_token = self.all.by_token
        if focus != whole and any(t in by_token for t in set(whole).difference(focus)):
            for number, score in self._score(" ".join(whole), self.all, compare=compare,
                                             pool=CONTEXT_POOL).items():
                fuzzy[number] = max(fuzzy.get(number, 0.0), score * CONTEXT_DISCOUNT)
        return fuzzy

    def _candidates(self, reading: Reading, whole: list[str], focus: list[str],
                    named: list[str], about: frozenset[str] | None = None,
                    names_from: tuple[list[str], list[str], bool] | None = None) -> list[tuple[float, Candidate]]:
        """Every entry with any evidence, best first: fuzzy keys and entry text, combined.

        `about` are the roles the message names (its `named` ones unless given): a topic about
        them ("hiring data scientists") is favoured when the message is shaped as a topic.
        `names_from` takes the fuzzy name scores from other tokens (the message with its role
        names in): a task's name matches no worse for them, and it saves a second pass."""
        about = frozenset(named) if about is None else about
        compare = len(named) >= 2
        name_focus, name_whole, name_compare = names_from or (focus, whole, compare)
        fuzzy = self._fuzzy(tuple(name_focus), tuple(name_whole), name_compare)
        weights = {t: CONTEXT_WEIGHT for t in whole}
        weights.update({t: 1.0 for t in focus})
        text_scores = self.documents.score(weights)
        for number, sim in self.examples.score(weights).items():
            text_scores[number] = text_scores.get(number, 0.0) + KNN_SHARE / TEXT_SHARE * sim
        shapes = intents(reading.focus, reading.context)
        exact = self.all.exact.get(" ".join(focus))
        favoured = {kind for intent, kind in _BONUS if intent in shapes}
        ranked = []
        # an entry known only by its text can reach the suggestions only from this share on
        useful = (SUGGESTION_FLOOR - INTENT_BONUS - NAMED_ROLE_BONUS) / TEXT_SHARE
        text_hits = [n for n, score in text_scores.items() if score >= useful]
        if len(text_hits) > CANDIDATES:
            text_hits = heapq.nlargest(CANDIDATES, text_hits, key=text_scores.__getitem__)
        for number in set(fuzzy) | set(text_hits):
            entry = self.entries[number]
            if entry.kind == "comparison" and not compare:
                continue
            score = FUZZY_SHARE * fuzzy.get(number, 0.0) + TEXT_SHARE * text_scores.get(number, 0.0)
            if entry.kind in favoured:
                score += INTENT_BONUS
            if entry.kind in ("stage", "topic") and "owner" in shapes and not {"stage", "topic"} & shapes:
                score -= INTENT_BONUS  # "who owns…" asks for a task's owner, not a stage or a topic
            elif number == exact:
                score += EXACT_BONUS
            if entry.kind == "topic" and about and "topic" in shapes and about <= self._topic_roles[number]:
                score += NAMED_ROLE_BONUS
            elif entry.kind == "topic" and about and self._topic_roles[number] and about.isdisjoint(self._topic_roles[number]):
                score -= OTHER_ROLES_TOPIC  # a topic about other roles than the ones the message names
            if entry.kind == "role" and entry.id in named and "role" in shapes and "topic" not in shapes:
                score += NAMED_ROLE_BONUS
            if entry.kind == "role" and len(named) >= 2:
                score -= INTENT_BONUS  # a message naming two roles is about them together, not one
            ranked.append((score, number, entry))
        ranked.sort(key=lambda item: -item[0])
        for position, (score, number, entry) in enumerate(ranked[:SUPPORT_CHECKS]):
            if score < SURE and not self._supported(number, fuzzy.get(number, 0.0), weights):
                ranked[position] = (min(score, PROBABLY - 1.0), number, entry)
        ranked.sort(key=lambda item: (-item[0], _KIND_ORDER[item[2].kind], item[2].id))
        return [(score, entry) for score, _, entry in ranked]

    def _supported(self, number: int, fuzzy: float, weights: dict[str, float]) -> bool:
        """A guess needs more than one shared word: a fuzzy hit on a name, or two words of its text."""
        if fuzzy >= SUPPORTED_FUZZY:
            return True
        shared = self.documents.tokens[number].intersection(weights)
        return len(shared) >= 2 and sum(self.documents.idf[t] for t in shared) >= SUPPORTED_MASS

    def role_mentions(self, tokens: list[str]) -> list[tuple[int, str, int]]:
        """(position, role id, length) of every role the tokens name, longest name first.

        Only a word that starts some role name is tried, and only as far as that name reaches."""
        spans, reach = self._role_spans
        found = []
        i = 0
        while i < len(tokens):
            for size in range(min(reach.get(tokens[i], 0), len(tokens) - i), 0, -1):
                role = spans.get(tuple(tokens[i:i + size]))
                if role:
                    found.append((i, role, size))
                    i += size
                    break
            else:
                i += 1
        return found

    def closest_roles(self, title: str, limit: int = 3) -> tuple[Candidate, ...]:
        """Roles whose names look most like a job title the knowledge base does not have.

        The words before the job noun tell roles apart ("analytics" engineer is nearer the data
        analyst than any other engineer), so they weigh most when they resemble a role's words."""
        *modifiers, head = normalise(title).split() or [""]
        near: list[tuple[str, float, float]] = []
        for name, number in zip(self._role_names, self._role_name_entry):
            words = name.split() or [""]
            near_head = max(fuzz.ratio(head, w) for w in words)
            near_modifier = max((fuzz.ratio(m, w) for m in modifiers for w in words), default=near_head)
            near.append((self.entries[number].id, near_modifier, near_head))
        # a modifier like no role's words ("ux", "scrum") says nothing: then the job noun decides
        weight = 0.7 if max((m for _, m, _ in near), default=0.0) >= 60 else 0.2
        best: dict[str, float] = {}
        for role_id, near_modifier, near_head in near:
            best[role_id] = max(best.get(role_id, 0.0), weight * near_modifier + (1 - weight) * near_head)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return tuple(Candidate("role", role_id, self.kb.roles[role_id].title, round(score, 1))
                     for role_id, score in ranked)

    def _owner_before_topic(self, reading: Reading,
                            scored: list[tuple[float, object]]) -> list[tuple[float, object]]:
        """"Who owns the handover contract?" wants the task's owner: a topic or a stage has none."""
        if not scored or scored[0][1].kind not in ("topic", "stage") or intents(reading.focus) != {"owner"}:
            return scored
        task = next((c for c in scored if c[1].kind == "responsibility"), None)
        if task is None or task[0] < max(PROBABLY, scored[0][0] - OWNER_OVER_TOPIC):
            return scored
        return [task, *(c for c in scored if c is not task)]

    def _other_sense(self, reading: Reading, whole: list[str], top: Candidate) -> bool:
        """The message means the words it shares with its best entry in another, everyday sense.

        Either its everyday words outweigh the few name words it shares with the entry ("who labels
        the boxes for the move?"), or all it says that the knowledge base knows are words with
        everyday senses too, beside words the knowledge base does not know ("who's training the new
        baristas?"). A message that names the entry in full is never read so."""
        everyday = everyday_words(reading.whole)
        if everyday and not self._names_an_entry(reading.focus, top):
            number = self._entry_number[(top.kind, top.id)]
            if len(self._name_tokens[number].intersection(whole)) <= EVERYDAY_WEIGHT * everyday:
                return True
        return (self._only_loose_words(whole) and not speaks_ml(reading.whole)
                and not self._names_an_entry(reading.whole, top))

    def _only_loose_words(self, whole: list[str]) -> bool:
        idf = self.documents.idf
        if LOOSE_WORDS.isdisjoint(whole) or not any(t not in idf and not t.isdigit() for t in whole):
            return False
        return all(t in self._vague for t in whole if t in idf)

    def _about_both(self, topic: Candidate, pair: list[str]) -> bool:
        return set(pair) <= self._topic_roles[self._entry_number[(topic.kind, topic.id)]]

    def _names_an_entry(self, plain: str, top: Candidate) -> bool:
        """The text says the entry's name in full ("who owns model monitoring?"): the everyday
        words around it are then only context."""
        number = self._entry_number[(top.kind, top.id)]
        asked = f" {key_from_plain(plain)} "
        return any(f" {key} " in asked for key in self._multiword_keys[number])

    def _task_without_roles(self, reading: Reading, whole: list[str], focus: list[str],
                            mentions: list[tuple[int, str, int]]) -> tuple[float, object] | None:
        """The best task or topic the message asks about once the roles it names are set aside.

        With two roles named, a topic counts only if it is about both: hiring data scientists is no
        task to offer a data analyst and a data scientist."""
        stripped = self._without_roles(whole, mentions)
        stripped_focus = stripped if focus is whole else self._without_roles(focus, self.role_mentions(focus))
        about = frozenset(role for _, role, _ in mentions)
        names_from = (focus, whole, len(about) >= 2)
        pair = sorted(about) if len(about) >= 2 else []
        return next((c for c in self._candidates(reading, stripped, stripped_focus, [], about, names_from)
                     if c[1].kind not in ("role", "comparison")
                     and not (pair and c[1].kind == "topic" and not self._about_both(c[1], pair))), None)

    def _prefer_named_role(self, reading: Reading, whole: list[str], focus: list[str],
                           mentions: list[tuple[int, str, int]], role_id: str,
                           scored: list[tuple[float, object]]) -> list[tuple[float, object]]:
        """A message that names one role and asks nothing else of substance is about that role."""
        topical = topic_shaped(reading.focus)
        duties = asks_role_duties(reading.focus)
        about_role = role_shaped(reading.focus)
        role_score = max([sc for sc, e in scored if e.kind == "role" and e.id == role_id], default=0.0)
        if (scored and scored[0][1].kind != "role" and not about_role
                and (scored[0][0] >= SURE or (scored[0][0] >= PROBABLY and scored[0][0] >= role_score + ROLE_LEAD))):
            return scored  # a task already clearly asked about: no need to weigh the role against it
        if (scored and scored[0][1].kind == "role" and scored[0][1].id == role_id and scored[0][0] >= PROBABLY
                and not topical):
            return scored
        # a message asking what the role itself does takes only a topic or stage over it: no need to look otherwise
        task = self._task_without_roles(reading, whole, focus, mentions) if topical or not duties else None
        if topical and task is not None and task[1].kind in ("topic", "stage"):
            needed = PROBABLY
        elif duties:
            needed = float("inf")
        elif about_role:
            needed = SURE + INTENT_BONUS
        elif asks_owner(reading.focus):
            needed = PROBABLY
        else:
            needed = SURE
        if task is not None and task[0] >= needed:
            return [task, *((sc, e) for sc, e in scored if e is not task[1])] if scored[0][1].kind == "role" else scored
        role = self.entries[self._entry_number[("role", role_id)]]
        score = max([SURE] + [sc for sc, e in scored if e is role])
        return [(score, role), *((sc, e) for sc, e in scored if e is not role)]

    @staticmethod
    def _without_roles(tokens: list[str], mentions: list[tuple[int, str, int]]) -> list[str]:
        named = {i for start, _, size in mentions for i in range(start, start + size)}
        return [t for i, t in enumerate(tokens) if i not in named]

    def _build_role_spans(self) -> tuple[dict[tuple[str, ...], str], dict[str, int]]:
        """Role names as token tuples, and the longest name each first word starts."""
        spans = {tuple(key.split()): self.entries[n].id for key, n in self.roles.exact.items()
                 if key not in _NOT_ROLE_NAMES}
        reach: dict[str, int] = {}
        for span in spans:
            reach[span[0]] = max(reach.get(span[0], 0), len(span))
        return spans, reach

    def _pair(self, first_id: str, second_id: str):
        first, second = self.kb.roles[first_id], self.kb.roles[second_id]
        stored = self.kb.comparison_for(first_id, second_id)
        score = 100.0
        if stored:
            best = Candidate("comparison", stored.id, stored.title, score)
        else:
            best = Candidate("comparison", f"{first_id}-vs-{second_id}", f"{first.title} vs {second.title}", score)
        pair = (Candidate("role", first.id, first.title, score), Candidate("role", second.id, second.title, score))
        return best, pair, (first_id, second_id)

    def _unknown_role(self, reading: Reading, named: list[str]) -> str | None:
        """A job title the message asks about that no role in the knowledge base answers to.

        A title is known when one role name covers all of it: "ML researcher" is a role, "UX
        researcher" is not, although both end in a word that names one.
        """
        text = reading.focus
        if reading.context and asks_about_a_title_before(reading.focus):
            text = reading.whole
        for short, long in job_titles(text):
            if not (asked_about(text, short) or text is not reading.focus):
                continue
            if not any(self._names_a_role(tokens) for form in {short, long}
                       for tokens in (self._canonical_plain(form).split(), key_from_plain(form).split())):
                return short
        return None

    def _names_a_role(self, tokens: list[str]) -> bool:
        return any(size == len(tokens) for _, _, size in self.role_mentions(tokens))


@lru_cache(maxsize=64)
def _stopwords_near(size: int) -> list[str]:
    """Stopwords whose length lets them reach a ratio of 88 with a word of this length."""
    slack = size * 3 // 10 + 1
    return sorted(w for w in STOPWORDS if abs(len(w) - size) <= slack)


_NOT_ROLE_NAMES = frozenset({"product", "data", "ops", "research", "analysis"})
"""Keys of role aliases that are everyday words on their own: not taken as naming the role."""

_KIND_ORDER = {"responsibility": 0, "role": 1, "comparison": 2, "topic": 3, "stage": 4}
_BONUS = frozenset({("owner", "responsibility"), ("stage", "stage"), ("topic", "topic"),
                    ("role", "role"), ("lookup", "role")})
