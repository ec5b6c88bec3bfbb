"""Greetings, thanks and "help": answered kindly, never scored against the knowledge base.

A message is small talk only when *every* word in it is a small-talk word, so "hi, who owns
model deployment?" is still a question. Small talk is never stored as an unanswered question.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text import normalise

_EMOJI_CODE = re.compile(r":[a-z0-9_+\-]+:")

_GREETING = frozenset("""
hi hii hiii hey heya hello helo hallo howdy yo hiya sup morning mornin afternoon evening gm
greetings there good day all folks team everyone bot mlrole ping pong hola ciao bonjour world
""".split())
_THANKS = frozenset("""
thanks thank thx thnx tx ty tysm ta cheers appreciate appreciated much lot lots very so you u
great awesome cool nice perfect brilliant helpful amazing excellent love it that this bot mlrole
good job works worked bot mate buddy bud friend dude man legend rock rocks star hero neat
sweet wonderful fantastic superb handy useful bunch million tons one again cleared clear up
helps helped clears makes sense lol haha hehe lmao rofl wow yeah yeh re lifesaver saved saviour ok okay k kk got gotcha sure np noted
exactly what i needed wanted was looking for nvm never mind figured out sorted solved found all
faster quicker smarter better than helpdesk google
""".split())
_BYE = frozenset("bye goodbye cya later see ya night gn ttyl tmrw tomorrow soon you u for now then".split())
_HELP = frozenset("""
help what whats can you do how does this work are there alive awake online use i me start
commands options menu anything who are u you is this made built human real robot testing test
anyone home here hello doing going up today wait or person a an actually ask something question
questions kind sort type right channel place name your thing on so exactly usage to
""".split())
_FILLER = frozenset("oh ah um hmm pls please just again the a and or you yes yep no nope".split())
_CHAT = frozenset("""
new here saying say said joined joining started starting first second week weeks day days month today
tonight tomorrow weekend monday tuesday wednesday thursday friday happy made through survived finally
back everyone question questions sorry bothering bother offence offense offend either way honestly
really truly tons onboarding buddy mentor told ask asking things stuff kind sort of can could would
with about real person human robot hope doing well fine how s going meet name my m am i im been being
all your for to in on at it is are was be do did have has had me we us our this that these those
if then so but not just some any silly dumb lot lots again quick nice meeting glad fun ever super
soo sooo very totally
""".split())
"""Chit-chat around a greeting, thanks or "what can you do?": still small talk when it is all there is."""
MAX_CHAT_WORDS = 24

KIND = "smalltalk"
"""The answer kind small talk gets (JSON `kind`), so adapters and scripts can tell it apart."""
GREETING, THANKS, BYE, HELP = "greeting", "thanks", "bye", "help"

_KINDS = (  # the first kind whose vocabulary, with fillers, covers a short message
    (GREETING, _GREETING),
    (HELP, _HELP | _GREETING),
    (THANKS, _THANKS | _GREETING | _BYE),
    (BYE, _BYE | _GREETING | _THANKS),
)
_OK = frozenset({"ok", "okay"})
_BYE_ONLY = _BYE - _THANKS
_ASKS_FOR_HELP = frozenset("help what whats how there alive awake online commands options menu who testing test "
                           "human robot home person ask usage thing".split())
_ALL_CHAT = _CHAT | _GREETING | _THANKS | _BYE | _HELP | _FILLER
_CUES = (  # in a longer message, the word that says which kind of small talk it is
    (frozenset("thanks thank thx thnx ty tysm cheers appreciate appreciated helped helpful lifesaver".split()), THANKS),
    (frozenset("help helps commands options menu bot robot human person ask questions usage".split()), HELP),
    (frozenset("bye goodbye cya ttyl later".split()), BYE),
    (frozenset("hi hii hiii hey heya hello helo hallo howdy yo hiya morning mornin afternoon evening gm "
               "greetings".split()), GREETING),
)


def small_talk(text: str) -> str | None:
    """The kind of small talk `text` is, or None if it asks something.

    Decided on the words alone: the first kind whose vocabulary, with fillers, covers the whole
    message. Text with no words at all is not small talk: it gets the usual "ask me about…".
    """
    if text.count(" ") > 2 * MAX_CHAT_WORDS:
        return None  # far too long to be only a greeting or thanks: don't read it word by word
    without_codes = _EMOJI_CODE.sub(" ", text)
    words = normalise(without_codes).split()
    if not words and (_is_reaction(without_codes) or (_EMOJI_CODE.search(text.casefold())
                                                       and not without_codes.strip())) and len(text) <= 40:
        return THANKS
    if not words or all(w in _FILLER for w in words):
        return None
    words = [w for w in words if not (w.isdigit() and len(w) <= 3)]  # "testing 1 2 3"
    if not words:
        return None
    if len(words) > 8:
        return _chit_chat(words)
    for kind, vocabulary in _KINDS:
        if all(w in vocabulary or w in _FILLER for w in words):
            if kind == HELP and _ASKS_FOR_HELP.isdisjoint(words):
                continue
            if kind == THANKS and set(words) & _BYE_ONLY and set(words) <= _BYE | _GREETING | _FILLER | _OK:
                continue  # "ok, bye for now" and "good night" say goodbye; a plain "ok" is thanks
            return kind
    return _chit_chat(words)


def _chit_chat(words: list[str]) -> str | None:
    """A longer greeting, thanks or "are you a bot?" with chatter around it and nothing asked."""
    if len(words) > MAX_CHAT_WORDS:
        return None
    present = set(words)
    if not present <= _ALL_CHAT:
        return None
    return next((kind for cue, kind in _CUES if present & cue), None)


def _is_reaction(text: str) -> bool:
    """Emoji and nothing else (👍, 🙏, :tada:): an acknowledgement, like a reaction."""
    symbols = [ch for ch in text if not ch.isspace()]
    return bool(symbols) and all(unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf") for ch in symbols)


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
