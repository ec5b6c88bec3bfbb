"""Text clean-up shared by the matcher and every adapter.

Two jobs with different goals: `clean_user_text` keeps a question readable (for echoing and
storage) while removing what is unsafe to show; `match_tokens` turns text into the canonical
tokens that knowledge keys and questions are compared on, so both sides go through one path.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

MAX_QUESTION_CHARS = 500
"""Longer questions are cut before matching: it bounds the work and no real question needs more."""

_SLACK_USER = re.compile(r"<@([UWB][A-Z0-9]+)(?:\|[^>]*)?>")
_SLACK_CHANNEL = re.compile(r"<#[CGD][A-Z0-9]+(?:\|([^>]*))?>")
_SLACK_SPECIAL = re.compile(r"<!(?:subteam\^[A-Z0-9]+|here|channel|everyone|date\^[^>]*)(?:\|([^>]*))?>")
_SLACK_LINK = re.compile(r"<((?:https?|mailto):[^>|]*)(?:\|([^>]*))?>")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\n\t"


_NOT_PRINTABLE_ASCII = re.compile(r"[^\x20-\x7e]+")


def _drop_invisible(found: re.Match) -> str:
    return "".join(" " if ch in "\n\t" else ch for ch in found.group() if not _is_invisible(ch))


def clean_user_text(text: str, limit: int | None = None) -> str:
    """NFKC-normalise and drop control, format (bidi, zero-width) and unassigned characters."""
    if not isinstance(text, str):
        text = str(text)
    if limit is not None:
        text = text[: limit * 2]  # NFKC can only grow a string so much; bound the work first
    if text.isascii():
        text = _ASCII_CONTROL.sub(" ", text)
    else:
        text = unicodedata.normalize("NFKC", text)
        text = _NOT_PRINTABLE_ASCII.sub(_drop_invisible, text)  # printable ASCII is never invisible: look at the rest only
    text = " ".join(text.split())  # as `\s+` to one space, stripped: str.split and re share one idea of space
    return text[:limit] if limit is not None else text


def strip_slack_markup(text: str, bot_user_id: str | None = None) -> str:
    """Turn Slack's wire markup into the words a person sees, minus mentions of the bot."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _SLACK_USER.sub(" ", text)
    text = _SLACK_CHANNEL.sub(lambda m: m.group(1) or " ", text)
    text = _SLACK_SPECIAL.sub(" ", text)
    text = _SLACK_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return html.unescape(text)


# --- canonical tokens -------------------------------------------------------------------------

_PHRASES = [  # (substrings one of which the rule needs, the rule): most texts skip most rules
    (("machine",), re.compile(r"\bmachine[\s-]*learning\b"), "ml"),
    (("artificial",), re.compile(r"\bartificial intelligence\b"), "ai"),
    (("/",), re.compile(r"\ba\s*/\s*b\b"), "ab"),
    (("&",), re.compile(r"\br\s*&\s*d\b"), "rnd"),
    (("eng",), re.compile(r"\bfeat(?:ure)? eng\b"), "feature engineering"),
    (("+",), re.compile(r"\bc\s*\+\+"), "cpp"),
    (("'", "’", "`"), re.compile(r"['’`]s\b"), ""),
    # a head count is what a small team says about itself: "we're 4 people", "only 2 of us", "one person"
    (("person", "people", "of us"), re.compile(r"\b(?:one|two|three|four|five|a single|[1-5])[ -](?:person|people|of us)\b"),
     "headcount"),
]
_WORD_RULES = [  # one word at a time, cached: plural abbreviations, British -ise, doubled l
    ("s", re.compile(r"^(de|ds|da|pm|sme|sre|mle|swe|qa)s$"), r"\1"),
    ("is", re.compile(r"^([a-z]{3,})is(ation|ations|e|es|ed|ing)$"), r"\1iz\2"),
    ("ll", re.compile(r"^([a-z]{3,})(l)l(ing|er|ers|ed)$"), r"\1\2\3"),
]
_NON_WORD = re.compile(r"[^a-z0-9]+")
_KEEP_AS_IS = frozenset({"engineering", "modeling", "ing", "data", "analysis", "ops", "devops",
                          "mlops", "aiops", "dataops", "process", "business", "access", "status"})


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    for needed, pattern, replacement in _WORD_RULES:
        if needed in word:
            word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lowercase words and digits only, with spelling variants folded (British -ise, ML).

    Cached: the knowledge base's phrases are normalised by several indexes at load, and people
    ask the same short things over and over."""
    text = clean_user_text(text, MAX_QUESTION_CHARS)
    if "<" in text or "&" in text:
        text = strip_slack_markup(text)
    return fold(text)


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """`normalise` for text already clean (the knowledge base's own, validated at load): any length."""
    text = text.casefold()
    for needed, pattern, replacement in _PHRASES:
        if any(mark in text for mark in needed):
            text = pattern.sub(replacement, text)
    return " ".join(map(_fold_word, _NON_WORD.sub(" ", text).split()))


# Words people use interchangeably for the same task, folded after stemming on both sides.
_SYNONYMS = {
    "prod": "production", "track": "monitor", "watch": "monitor", "observ": "monitor",
    "fix": "troubleshoot", "fixe": "troubleshoot", "repair": "troubleshoot", "debug": "troubleshoot",
    "diagnos": "troubleshoot", "diagnosis": "troubleshoot",
    "annotat": "label", "annotation": "label", "annotator": "labeler", "tag": "label",
    "contractor": "vendor", "outsourc": "vendor", "specification": "spec", "guidelin": "spec",
    "k8s": "kubernet", "kubernete": "kubernet", "ship": "deploy", "rollout": "deploy",
    "dev": "developer", "eng": "engineer",
    "faster": "fast", "quicker": "quick", "smaller": "small", "slower": "slow", "cheaper": "cheap",
    "lighter": "light", "bigger": "big",
}


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """A deliberately crude stemmer: it only has to map both sides of a comparison alike."""
    base = _stem(token)
    return _SYNONYMS.get(base, base)


def _stem(token: str) -> str:
    if token in _KEEP_AS_IS or len(token) <= 3 or token.isdigit():
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("sses"):
        token = token[:-2]
    elif token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    if token.endswith("ing") and len(token) > 5:
        token = token[:-3]
    elif token.endswith("ed") and len(token) > 4:
        token = token[:-2]
    if len(token) > 3 and token[-1] == token[-2] and token[-1] not in "slz":
        token = token[:-1]
    if token.endswith("e") and len(token) > 4:
        token = token[:-1]
    return token


# Words that carry the question's shape, not its subject. Removed from both questions and keys.
STOPWORDS = frozenset("""
a an the of for to in on at by with from into about as and or but nor so if then than too very
is are was were be been being am do does did done doing have has had having will would shall
should can could may might must i me my mine we us our ours you your yours he him his she her it
its they them their this that these those there here what whats which who whom whose why how
when where own owns owned owner owners ownership owning responsible responsibility
responsibilities accountable handle handles handling handled charge care take takes taking
ask asking contact reach talk speak go goes person people someone somebody anyone anybody guy
guys folks one ones need needs want wants know tell explain describe please pls plz hey hi hello
yo hiya thanks thank thx ty sorry bother quick question q qq bot mlrole help just actually
really also any some all kind sort like get gets got typically usually normally generally
exactly basically role roles job jobs team teams our company org organisation organization
thing things stuff lol ok okay right well now currently today re ve ll don doesn isn aren
didn wasn won t s d m each every else who s whos
r u ur
""".split())


def match_key(text: str) -> str:
    """The canonical form two phrases are compared in: stemmed content words, in order."""
    return key_from_plain(normalise(text))


def key_from_plain(plain: str) -> str:
    """`match_key` for text that `normalise` has already been through."""
    return " ".join(filter(None, map(_key_word, plain.split())))


@lru_cache(maxsize=65536)
def _key_word(word: str) -> str:
    return "" if word in STOPWORDS else stem(word)
