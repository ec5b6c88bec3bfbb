"""The shape of a question, read from its words: who owns something, what a role does, a topic,
a stage; and how it sets two roles side by side — before any entry is scored. Scoring gives
entries of the shape asked a bonus.

Plain text in (as `bot.reading` leaves it: lowercase words), booleans and sets out; nothing here
knows the knowledge base.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.reading import JOB_NOUNS

_INVOLVEMENT = re.compile(r"\b(involved|involve|involves|participate\w*|take part|takes part|part of|"
                          r"stage|phase|step|steps|during|work on|works on|working on|what happens|in the room)\b")
_OWNERSHIP = re.compile(r"\b(who|whom|whose|owns?|owner|responsible|accountable|in charge|handles?|"
                        r"takes? care|should i ask|do i ask|go to|which (?:role|team|person|people|of them))\b")
_ROLE_SHAPE = re.compile(r"^(?:what|whats|what s)\b.*\b(?:do|does|is|are|role)\b|\bwhat\b.*\b(?:do|does|role)\b|"
                         r"\bwho (?:do|does) .{0,40}\bwork with\b|\b(?:skills|tools|background)\b"
                         r"|\b(?:do all day|day to day|day in the life)\b|^(?:tell me about|describe|explain)\b")
_TOPIC_SHAPE = re.compile(r"\b(how (?:do|should|can|to|does|are)|what (?:goes|should|to look)|hir\w*|"
                          r"interview\w*|job description|tips?|advice|approach\w*|difference|"
                          r"together|collaborat\w*|switch\w*|transition\w*|career|lifecycle|life cycle|"
                          r"stages|steps|phases|candidates?|screen\w*|recruit\w*|req|posting|job ad|"
                          r"jump|pivot\w*|move (?:from|into|to)|moving (?:from|into|to)|trade ?offs?|pros and cons|"
                          r"report to|reporting line\w*|org chart|re ?org\w*|structure\w*|set ?up|"
                          r"what (?:info|information|else|details?)|is (?:that|this|it) normal|best practices?|"
                          r"how do other|jd|rubric|job post\w*)\b")
_WHAT_ROLE_OWNS = re.compile(r"\bwhat(?: is| s| are| re)? (?:an? |the |our |my |your )?(?:[a-z]+ ){1,5}"
                             r"(?:responsible|accountable) for\b")
""""what's a DS on this team responsible for?" asks about the role it names."""
_ROLE_DUTIES = re.compile(r"\bwhat (?:does|do|will|would|should|are|is|s)(?: [a-z]+){1,5}? (?:actually |really |usually |"
                          r"typically |normally )?(?:own|produce|deliver|include|cover|responsible for|"
                          r"accountable for|in charge of)\b|"
                          r"\b(?:do|does) (?:we|you|a team|one|it) (?:really |actually |even |still )?need (?:a|an|the)"
                          r"(?: [a-z]+){1,3}(?: (?:on|in|for) (?:a|an|the|our|every)(?: [a-z]+){0,2})?$|"
                          r"\b(?:is|are) (?:a|an|the)?(?: ?[a-z]+){1,3} (?:really |actually |even )?(?:needed|necessary)\b|"
                          r"\bpoint of (?:having )?(?:a|an|the)\b|"
                          r"^what (?:does|do) (?:an? |the |our |your )?(?:[a-z]+ ){1,3}(?:actually |really |usually |"
                          r"typically )?do(?: all day| day to day| every day| here| exactly)?$|"
                          r"^who (?:are|is) (?:the|our|your|these|those) (?:[a-z]+ ){1,3}and what\b|"
                          r"\b(?:their|his|her|its) (?:typical |average |normal |usual )?(?:day|week) look like\b|"
                          r"\ba (?:typical|normal|usual) (?:day|week) (?:for|of|as)\b")
""""what does an ML PM own?", "do we really need a DS on this project?" ask about the role the
message names, not about one of its tasks."""
_TOGETHER = re.compile(r"\b(?:work(?:ing)? together|collaborat\w*|team (?:setups?|structures?|approach\w*)|"
                       r"pros and cons|trade ?offs?|report(?:ing)? (?:to|lines?))\b")
""""How should they work together?" is about both roles at once, even when it also says "vs"."""
_SHAPES = (("stage", _INVOLVEMENT), ("topic", _TOPIC_SHAPE), ("owner", _OWNERSHIP), ("role", _ROLE_SHAPE))


_ASKS_OWNER = re.compile(r"\b(who|whom|whose|responsibility|responsible|task|in charge|on the hook|up to|owns?|"
                         r"owner|should (?:we|i) (?:ask|talk|go)|job (?:is it|to)|(?:your|my|their|his|her) job|"
                         r"call (?:is it|to make))\b")


@lru_cache(maxsize=16)
def intents(plain: str, context: str = "") -> frozenset[str]:
    """Every question shape the text has, and "topic" when its context is shaped so: an entry of a
    matching kind gets a bonus. Cached, as a message's every scoring pass asks again."""
    found = {name for name, pattern in _SHAPES if pattern.search(plain)}
    if context and _TOPIC_SHAPE.search(context):
        return frozenset(found or {"lookup"}) | {"topic"}
    return frozenset(found or {"lookup"})


def asks_owner(plain: str) -> bool:
    """"who…", "whose job…", "on the hook", "up to": the message asks who does something."""
    return bool(_ASKS_OWNER.search(plain))


def topic_shaped(plain: str) -> bool:
    """Hiring, careers, team set-ups, "how do other companies…": a topic rather than one task."""
    return bool(_TOPIC_SHAPE.search(plain))


def role_shaped(plain: str) -> bool:
    """"What does a DS do?", "what skills…", "tell me about…": about a role."""
    return bool(_ROLE_SHAPE.search(plain) or _WHAT_ROLE_OWNS.search(plain) or _ROLE_DUTIES.search(plain))


def asks_role_duties(plain: str) -> bool:
    """What a named role owns or produces, or whether a team needs one: the role, not one of its tasks."""
    return bool(_ROLE_DUTIES.search(plain))


def about_working_together(plain: str) -> bool:
    """How two roles work together, report or are set up: the topic about both, even beside a "vs"."""
    return bool(_TOGETHER.search(plain))


# --- two roles side by side ---------------------------------------------------------------------

_CHOICE = (r"which (?:one |of (?:them|the two|those) )?(?:would|should|do) (?:you|we|i) "
           r"(?:pick|choose|hire|go with|start with)|(?:choose|pick) between")
"""Weighing two roles against each other: a comparison, and one whatever else the message asks."""
_STRONG_CONTRAST = re.compile(
    r"\b(?:vs|versus|difference|differences|differ|differs|diff|different (?:from|than|to)|how different|"
    r"s different|compar\w*|similar\w*|distinguish\w*|apart|separates?|"
    r"same(?! (?:lead|manager|boss|team|org|department|squad|channel|room|office|sprint|standup)\b)|"
    r"mix\w* (?:them |these |those |the two |it )?up|confus\w*|overlap\w*|interchangeabl\w*|swap\w*|"
    + _CHOICE + r"|"
    r"(?:do|does|can) that (?:a |an |the )?(?:[a-z]+ ){1,3}(?:doesn t|don t|does not|do not|can t|cannot)|"
    r"dif+r?[ae]n[cs]\w*|vice versa|who (?:does|do) what|who decides? what$|(?:stops?|ends?) and|"
    r"(?:is|are|isn t|aren t)(?: [a-z]+){1,4} (?:basically|essentially)|"
    r"how (?:are|is|do|does)\b.{0,40}\bdiffer\w*|(?:are|is) (?:they|those|these|the two|it)\b.{0,30}\bdifferent)\b")
_WEAK_CONTRAST = re.compile(r"\b(?:or|like|just|basically|between|v)\b")


_RELATIVE_WHO = re.compile(r"\b(?:a|an|one|any)(?: [a-z]+){0,2} (?:" + "|".join(JOB_NOUNS)
                           + r"|ds|mle|de|da|pm|sme|sre)s? who\b"
                           r"|\bwho (?:does|do|s doing|is doing|handles|owns|should do) what\b|\bwho decides? what$")


def without_relative_who(plain: str) -> str:
    """"a DS who can write prod code" describes the role, and "who does what" asks how two roles
    split the work: neither asks who does one thing."""
    return _RELATIVE_WHO.sub(" ", plain)


_CHOOSE_ONE = re.compile(r"\b(?:" + _CHOICE + r")\b|"
                         r"\b(?:budget|room|money|headcount|space) for (?:one|a single|1|another|one more) "
                         r"(?:more )?(?:hire|head|person|role|position)\b")


def asks_to_choose(plain: str) -> bool:
    """"DA or DS, which should we hire first?" weighs the two roles against each other, whatever else it asks."""
    return bool(_CHOOSE_ONE.search(plain))


def contrast(plain: str) -> str | None:
    """How a message sets two things side by side: "strong" in words of difference or sameness,
    "weak" as a choice or likeness ("DS or MLE?"), "and" when it merely lists them, else None."""
    if _STRONG_CONTRAST.search(plain):
        return "strong"
    if _WEAK_CONTRAST.search(plain):
        return "weak"
    if re.search(r"\b(?:and|&)\b", plain):
        return "and"
    return None
