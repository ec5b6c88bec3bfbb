"""Reading a Slack message before matching it: which part asks, the job titles it names, its words.

Real messages carry two or three sentences of context around the question; the asking part
decides what the message is about, the rest only adds evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import (
    MAX_QUESTION_CHARS,
    STOPWORDS,
    clean_user_text,
    fold,
    normalise,
    stem,
    strip_slack_markup,
)

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+|\s[—–]\s|\s-{1,2}\s|;\s|:\s(?=[a-z])")
_ASKING_START = re.compile(
    r"^(?:so |and |but |ok |also |then )?(?:who|whom|whose|what|whats|which|how|where|why|is|are|does|do|did|"
    r"should|shall|can|could|would|will|any|anyone|tips|advice|pointers|wondering|curious|"
    r"trying to (?:understand|figure out)|i need to know|need to know)\b")
_CODE = re.compile(r"`{1,3}[^`]*`{1,3}")
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")


@dataclass(frozen=True)
class Reading:
    whole: str
    """The normalised message."""
    focus: str
    """The normalised sentences that ask something (the whole message when none stands out)."""
    context: str
    """The normalised rest: background that supports, but does not decide, the match."""


def _visible_text(text: str) -> str:
    """The words a person reads: no markup, no emoji codes, inline code as plain words."""
    raw = _EMOJI.sub(" ", strip_slack_markup(clean_user_text(text, MAX_QUESTION_CHARS)))
    return _CODE.sub(lambda m: " " + m.group(0).strip("`").replace("_", " ") + " ", raw)


def message_words(text: str) -> str:
    """`read_message(text).whole` without reading the sentences, for the knowledge base's own
    (already validated) questions: only text with markup or emoji codes needs the full clean-up."""
    return normalise(_visible_text(text)) if any(mark in text for mark in "<:`&") else fold(text)


def read_message(text: str) -> Reading:
    raw = _visible_text(text)
    sentences = [s for s in _SENTENCE_BREAK.split(raw) if s and s.strip()]
    plains = [fold(s) for s in sentences]  # already clean: only the words are left to fold
    asking = [i for i, (s, p) in enumerate(zip(sentences, plains))
              if p and (s.rstrip().endswith("?") or _ASKING_START.match(p))]
    whole = " ".join(p for p in plains if p)
    if not asking or len(asking) == len(plains):
        return Reading(whole, whole, "")
    focus = " ".join(plains[i] for i in asking)
    context = " ".join(p for i, p in enumerate(plains) if i not in asking and p)
    return Reading(whole, focus, context)


# --- roles named in a message --------------------------------------------------------------------

JOB_NOUNS = ("hacker", "recruiter", "marketer", "accountant", "auditor", "coach", "engineer", "scientist", "analyst", "architect", "manager", "developer", "dev", "steward",
             "designer", "specialist", "master", "tester", "researcher", "writer", "officer", "admin",
             "administrator", "consultant", "strategist", "evangelist", "coordinator", "lead",
             "owner", "expert", "labeler", "labeller", "annotator", "programmer", "technician",
             "ethicist", "economist", "statistician", "linguist", "technologist", "psychologist",
             "journalist", "librarian", "translator", "actuary", "underwriter", "advocate", "ambassador",
             "planner", "curator", "moderator")
_JOB_TITLE = re.compile(r"\b([a-z0-9]+(?: [a-z0-9]+)?) (" + "|".join(JOB_NOUNS) + r")s?\b")
_NOT_A_MODIFIER = STOPWORDS | frozenset("""
a an the our your my their his her its this that these those which what who whose any some one
new senior junior staff principal lead head chief other another each every good best right same
actual real current former external internal own only single dedicated full time part
house remote offshore freelance contract outside
is are was be as of for to in on at by with from and or but like just then than so if
""".split())


_GREETING_WORDS = frozenset("hi hey hello hiya yo morning ok so um a an the".split())
"""What may stand before "<title> here" when the asker introduces themselves ("hi, finance analyst here")."""

_TITLE_PHRASE = re.compile(r"\b(chief of staff|(?:head|vp|director) of [a-z]+|chief [a-z]+ officer)\b")


_INTRODUCTION = re.compile(r"s? (?:here|speaking|by trade)\b")
_INTRODUCING = re.compile(r"\b(?:i m|i am|im|as|me|i work as|i was|we re|we are)(?: an?| the| our)?"
                          r"(?: (?![a-z]+ing\b)[a-z]+)?\s*$")
""""I'm a", "as the", "we're a fintech": the asker introducing themselves; "we're hiring a" is not."""


_ASKED_ABOUT = re.compile(r"\b(?:what|whats|who|whos|is there|are there|do we need|do we have|does an?)(?: [a-z0-9]+){0,6} $")
_ASKED_AFTER = re.compile(r"^(?: [a-z0-9]+){0,8} (?:what|whats) (?:do|does|would|will|should|is) "
                          r"(?:they|one|it|that|he|she|their|its)\b")
_ABOUT_THE_TITLE = re.compile(r"^(?:what|whats|who|whos) (?:do|does|would|will|should|is|are) "
                              r"(?:they|one|it|that|he|she|this)(?: [a-z]+){0,3}\s*$")


def asked_about(plain: str, title: str) -> bool:
    """Whether the message asks about the title itself ("what does a UX researcher do?",
    "is there a security engineer on the team and what do they do?"), rather than mentioning
    one on the way."""
    head = title.rsplit(" ", 1)[-1]
    at = plain.find(head)
    if at < 0:
        return False
    return bool(_ASKED_ABOUT.search(plain[:at]) or _ASKED_AFTER.search(plain[plain.find(" ", at):]))


def asks_about_a_title_before(focus: str) -> bool:
    """"what does one do?" after a sentence naming a title asks about that title."""
    return bool(_ABOUT_THE_TITLE.match(focus))


def job_titles(plain: str) -> list[tuple[str, str]]:
    """Job titles as written ("analytics engineer", "qa tester"), with a real modifier word.

    Each comes in a short form (one modifier) and a long one (up to two). A job noun with no
    modifier may itself modify the next one: "a developer advocate".
    """
    titles = [(found.group(1), found.group(1)) for found in _TITLE_PHRASE.finditer(plain)]
    found = _JOB_TITLE.search(plain)
    while found:
        title = _title_at(plain, found)
        if title:
            titles.append(title)
        found = _JOB_TITLE.search(plain, found.end() if title else found.start(2))
    return titles


def _title_at(plain: str, found: re.Match) -> tuple[str, str] | None:
    before = plain[:found.start()].split()
    introduces = _INTRODUCTION.match(plain[found.end():]) and len(before) <= 3 and set(before) <= _GREETING_WORDS
    if introduces or _INTRODUCING.search(plain[:found.start()]):
        return None  # "finance analyst here", "as a PM": the asker, not what is asked about
    words: list[str] = []
    for word in reversed(found.group(1).split()):  # the modifiers right before the job noun
        if word in _NOT_A_MODIFIER:
            break
        words.insert(0, word)
    while words and words[0].endswith(("ing", "ed")):  # "budgeting for annotators": no title
        words = words[1:]
    if words and not words[-1].endswith(("ing", "ed")):
        return words[-1] + " " + found.group(2), " ".join([*words[-2:], found.group(2)])
    return None


# --- words that put a domain word in another sense ------------------------------------------------

_EVERYDAY = frozenset("""
office offices kitchen fridge freezer microwave dishwasher coffee espresso tea kettle cooler lunch
lunches breakfast dinner snack snacks pizza cake food catering caterer leftovers cafeteria canteen
sink toilet toilets bathroom restroom plumbing plumber leak leaking heating aircon thermostat
temperature freezing lightbulb bulb windows elevator stairs desk desks chair chairs furniture
whiteboard projector plant plants garden cleaning cleaner cleaners trash bin recycling parking car
cars bike bikes locker lockers keys badge badges keycard reception receptionist mailroom postal
parcel parcels courier boxes box relocation landlord lease rent
payroll payslip paycheck payday pension pto vacation holiday holidays sick maternity paternity
expense expenses reimbursement invoice invoices receipt receipts procurement nda lawyer tax taxes
visa passport party parties christmas xmas halloween birthday birthdays offsite retreat agenda
drinks beer bbq picnic trivia quiz football soccer gym yoga fitness marathon charity volunteer
volunteering raffle gift gifts swag merch tshirt tshirts hoodie mug mugs stickers banner banners
booth fair expo photographer shoot fashion catwalk laptop laptops printer printers
printing scanner keyboard mouse headset headphones webcam wifi vpn password passwords outlook zoom
sim charger cable cables adapter dongle flight flights hotel hotels travel trip trips
railway taxi uber airport boston london paris berlin sales salespeople quota prospect prospects
newsletter brochure flyer flyers billboard weather rain raining snow sunny umbrella traffic commute
kids school dog dogs cat pets baby wedding movie movies music song recipe restaurant bar
vehicle tyre tyres tires garage mechanic warden wardens fire aider aiders
patient patients surgery blood pressure doctor doctors nurse hospital dentist pharmacy medicine
puppy puppies jam jar jars garden gardening renovation recipe conference venue
twitter linkedin instagram facebook tiktok youtube podcast webinar
lobby dock docks dockworker truck trucks lorry unload unloaded unloading forklift warehouseman toy toys hobby
freight cargo customs crate crates pallet pallets vessel handbook lift lifts basement burst fair
flicker flickers flickering screen screens brightness
""".split())

_MACHINE_LEARNING = frozenset("""
ml ai algorithm algorithms dataset datasets etl kubernetes k8s docker onnx gpu gpus inference latency
predict predicts predicting prediction predictions classifier classification regression drift retrain
retraining notebook notebooks experiment experiments annotation annotations annotate annotator
annotators airflow kafka spark sql hadoop mlops llm llms neural accuracy precision recall embedding
embeddings scientist scientists engineer engineers analyst analysts labeler labelers labelling labeling
recsys recommender recommendations churn fraud tagging annotating labelled labeled forecast forecasting ab pytorch tensorflow
jupyter feature features model models modeling modelling pipeline pipelines bounding pkl pickle joblib
checkpoint checkpoints safetensors containerize containerise containerized containerised dockerize dockerized
""".split())


def everyday_words(plain: str) -> int:
    """How many everyday-life words put the message's domain words in another sense (0 if none).

    "who labels the boxes for the move?" is about parcels, not training data. A message that also
    says something unmistakably about ML counts none: the everyday word is then only context.
    """
    words = set(plain.split())
    everyday = words & _EVERYDAY
    if not everyday or _speaks_ml(words):
        return 0
    return len(everyday)


def speaks_ml(plain: str) -> bool:
    """Whether the message says something only ML people say ("pytorch", "llm", "retraining")."""
    return _speaks_ml(set(plain.split()))


def _speaks_ml(words: set[str]) -> bool:
    return not (words & _MACHINE_LEARNING) <= _EVERYDAY_SENSES_TOO


_EVERYDAY_SENSES_TOO = frozenset({"model", "models", "pipeline", "pipelines", "feature", "features", "engineer",
                                  "engineers", "labeling", "labelling"})

LOOSE_WORDS = frozenset(stem(w) for w in """
train training label labels labeling deploy deployed deploying monitor monitoring pipeline model models clean
cleaning test testing feature features version versions serve serving container containers schedule track
tracking report reports drive role""".split())
"""Knowledge base words (as tokens) with everyday senses too: alone, they don't make a message ours."""


# --- follow-ups in a thread ---------------------------------------------------------------------

ELLIPSIS = re.compile(r"^(?:and|also|what about|how about|and what about|and how about|ok and|then)\b\s*|"
                       r"\b(?:then|too|as well)$")
_PRONOUN_WHO = re.compile(r"^(?:and |ok |so )?who(?: else)?(?: is| s| are)? (?:else |also )?(?:involved|helps?|works? on it|"
                          r"is on it|owns? (?:it|that|this)|(?:responsible|accountable)(?: for (?:it|that|this))?|"
                          r"in charge|does (?:it|that|this)|handles (?:it|that|this))\b|^(?:and |ok |so )?who else$")
_PRONOUN_WHAT = re.compile(r"\b(?:they|them|their|that role|this role|that person|this person|those|these people|"
                           r"he|she)\b")
_WHICH_STAGE = re.compile(r"^(?:and |ok |so )?(?:which|what) (?:stage|phase|step)(?: of the lifecycle)? (?:is|s) "
                          r"(?:that|it|this)(?: in| part of)?$|^(?:when|where) in the (?:lifecycle|project) (?:is|does) "
                          r"(?:that|it|this)")


def follow_up_shape(text: str) -> str | None:
    """"who" (who else is involved?), "what" (what do they do?), "stage" (which stage is that in?),
    "elliptical" (and monitoring?), or None."""
    plain = normalise(text)
    words = plain.split()
    if not words or len(words) > 12:
        return None
    if _WHICH_STAGE.match(plain):
        return "stage"
    if _PRONOUN_WHO.match(plain):
        return "who"
    if _PRONOUN_WHAT.search(plain) and len(words) <= 8:
        return "what"
    if ELLIPSIS.search(plain) and len(words) <= 6:
        return "elliptical"
    return None
