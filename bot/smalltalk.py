"""Greetings, thanks and "help": answered kindly, never scored against the knowledge base.

A message is small talk only when *every* word in it is a small-talk word, so "hi, who owns
model deployment?" is still a question. Small talk is never stored as an unanswered question.
"""

from __future__ import annotations

import re

from bot.text import normalise

_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]+:")

_GREETING = frozenset("""
hi hii hiii hey heya hello helo hallo howdy yo hiya sup morning mornin afternoon evening gm
greetings there good day all folks team everyone bot mlrole
""".split())
_THANKS = frozenset("""
thanks thank thx thnx tx ty tysm ta cheers appreciate appreciated much lot lots very so you u
great awesome cool nice perfect brilliant helpful amazing excellent love it that this bot mlrole
good job works worked bot ok okay k kk got gotcha sure np noted
""".split())
_BYE = frozenset("bye goodbye cya later see ya night gn ttyl".split())
_HELP = frozenset("""
help what can you do how does this work are there alive awake online use i me start
commands options menu anything who are u you
""".split())
_FILLER = frozenset("oh ah um hmm pls please just again the a and or you lol haha yes yep no nope".split())

GREETING, THANKS, BYE, HELP = "greeting", "thanks", "bye", "help"


def small_talk(text: str) -> str | None:
    """The kind of small talk `text` is, or None if it asks something.

    Decided on the words alone: the first kind whose vocabulary, with fillers, covers the whole
    message. Text with no words at all is not small talk: it gets the usual "ask me about…".
    """
    words = normalise(_EMOJI_CODE.sub(" ", text.casefold())).split()
    if len(words) > 8:
        return None
    if not words or all(w in _FILLER for w in words):
        return None
    kinds = (
        (GREETING, _GREETING),
        (HELP, _HELP | _GREETING),
        (THANKS, _THANKS | _GREETING | _BYE),
        (BYE, _BYE | _GREETING | _THANKS),
    )
    for kind, vocabulary in kinds:
        if all(w in vocabulary or w in _FILLER for w in words):
            if kind == HELP and not (set(words) & {"help", "what", "how", "there", "alive", "awake",
                                                   "online", "commands", "options", "menu", "who"}):
                continue
            if kind == THANKS and set(words) <= _BYE | _GREETING | _FILLER:
                continue
            return kind
    return None


REPLIES = {
    GREETING: "Hi! I know who does what in our ML team.",
    THANKS: "You're welcome — glad it helped.",
    BYE: "Bye for now — ask me any time.",
    HELP: "I answer questions about who does what in our ML team: roles, who owns a task, and how two roles differ.",
}
EXAMPLES = ("who owns model deployment?", "what's the difference between a data scientist and an ML engineer?")


def reply(kind: str) -> str:
    """A short friendly reply with two example questions."""
    examples = " or ".join(f"“{e}”" for e in EXAMPLES)
    return f"{REPLIES.get(kind, REPLIES[HELP])} Try {examples}."
