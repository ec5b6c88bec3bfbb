"""A long fuzz run: `python -m bot.fuzz --examples 20000 [--seed N] [--minutes M]`.

Hypothesis generates hostile strings (any Unicode, Slack markup, bidi and zero-width characters,
entities, NFKC-expanding characters, very long text) and hostile knowledge-base text, and every
input goes through what the bot does with it: the normaliser, the Slack question clean-up, the
matcher and answers, and every block builder. Failures are counted instead of stopping the run;
the command prints the counts and exits 1 if anything raised or broke a limit.

The same checks (`check_question`, `check_directory`) back the fast in-suite property tests.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Callable

from slack_sdk.models.blocks import Block

from bot.slack import blocks as B
from bot.slack.ask import question_from
from bot.text import MAX_QUESTION_CHARS, clean_user_text, match_key, normalise

LIVE_MARKUP = re.compile(r"<!(?:channel|here|everyone|subteam\^)|<@[UWB]", re.IGNORECASE)
"""Anything Slack would turn into a ping if it reached a message unescaped."""
SLOW_QUESTION_SECONDS = 1.0

FRAGMENTS = [
    "who owns", "model deployment", "devops", "data scientist vs ml engineer", "difference between",
    "mle", " vs ", " or ", "stage", "labeling", "<!channel>", "<!here>", "<!everyone>", "<@U123ABC>",
    "<@W99|bob>", "<!subteam^S0123|@ml-team>", "<#C123|general>", "<https://evil.example|click>",
    "&lt;!channel&gt;", "&amp;lt;!here&amp;gt;", "&#60;!here&#62;", "&lt;@U1&gt;", "<", ">", "&", "*bold*",
    "_it_", "`code`", "```", "~x~", ">quote", "\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff",
    "\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\u0301\u0301\u0301", "🤖", "👩🏽‍💻", "ﷺ", "㍿", "ﬃ", "Ⅻ",
    "\ud7ff", "\U0010ffff", "\U000e0041", "ｗｈｏ ｏｗｎｓ", "%s%n", "{0}", "' OR 1=1 --", "${jndi:x}",
]


@dataclass
class Tally:
    inputs: int = 0
    exceptions: int = 0
    violations: int = 0
    slowest: float = 0.0
    examples: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, kind: str, what: str, value: Any) -> None:
        if kind == "exception":
            self.exceptions += 1
        else:
            self.violations += 1
        if len(self.examples) < 10:
            self.examples.append((f"{kind}: {what}", repr(value)[:300]))


# --- what must hold for any output ------------------------------------------------------------

def _text_fields(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every string Slack may render as markup: plain_text objects are shown literally, so skipped."""
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if node.get("type") == "plain_text":
            return out
        for k, v in node.items():
            out += _text_fields(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _text_fields(v, f"{path}[{i}]")
    elif isinstance(node, str):
        out.append((path, node))
    return out


def block_problems(blocks: list[dict[str, Any]], max_blocks: int = B.MAX_MESSAGE_BLOCKS,
                   allow_mentions: tuple[str, ...] = ()) -> list[str]:
    """Slack's limits and slack_sdk's validation, plus no live ping from text the bot did not write."""
    problems: list[str] = []
    if not isinstance(blocks, list) or not blocks:
        return ["no blocks"]
    if len(blocks) > max_blocks:
        problems.append(f"{len(blocks)} blocks > {max_blocks}")
    for i, block in enumerate(blocks):
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"block {i} does not parse")
            else:
                parsed.validate_json()
        except Exception as e:  # SlackObjectFormationError and friends
            problems.append(f"block {i} invalid: {e}")
        kind = block.get("type")
        if kind == "section" and len(block.get("text", {}).get("text", "")) > B.MAX_SECTION_TEXT:
            problems.append(f"block {i} section text > {B.MAX_SECTION_TEXT}")
        if kind == "header" and len(block["text"]["text"]) > B.MAX_HEADER_TEXT:
            problems.append(f"block {i} header > {B.MAX_HEADER_TEXT}")
        elements = list(block.get("elements") or []) + ([block["accessory"]] if block.get("accessory") else [])
        for el in elements:
            if el.get("type") == "button":
                if len(el["text"]["text"]) > B.MAX_BUTTON_TEXT:
                    problems.append(f"block {i} button text > {B.MAX_BUTTON_TEXT}")
                if len(el.get("value") or "") > B.MAX_BUTTON_VALUE:
                    problems.append(f"block {i} button value > {B.MAX_BUTTON_VALUE}")
            elif kind == "context" and len(el.get("text") or "") > B.MAX_CONTEXT_TEXT:
                problems.append(f"block {i} context text > {B.MAX_CONTEXT_TEXT}")
    for path, text in _text_fields(blocks):
        for allowed in allow_mentions:
            text = text.replace(allowed, "")
        if LIVE_MARKUP.search(text):
            problems.append(f"live mention in {path}: {text[:80]!r}")
    return problems


def normaliser_problems(text: str) -> list[str]:
    problems = []
    cleaned = clean_user_text(text, MAX_QUESTION_CHARS)
    if len(cleaned) > MAX_QUESTION_CHARS:
        problems.append("clean_user_text over its limit")
    if any(ch in cleaned for ch in "\x00\u202e\u202d\u2066\u200b\ufeff\x1b"):
        problems.append("control/bidi/zero-width character survived clean_user_text")
    plain = normalise(text)
    if plain != plain.strip() or not set(plain) <= set("abcdefghijklmnopqrstuvwxyz0123456789 "):
        problems.append("normalise produced characters outside [a-z0-9 ]")
    if not set(match_key(text)) <= set("abcdefghijklmnopqrstuvwxyz0123456789 "):
        problems.append("match_key produced characters outside [a-z0-9 ]")
    # question_from is the plain question (entities decoded, markup reduced to words): it may
    # contain "<!here>" as typed text. It is escaped wherever it is shown, which block_problems checks.
    if len(question_from(text, "UBOT")) > 1000:
        problems.append("question_from exceeded 1000 characters")
    return problems


def _guard(tally: Tally, what: str, value: Any, fn: Callable[[], list[str]]) -> None:
    try:
        for problem in fn():
            tally.fail("violation", f"{what}: {problem}", value)
    except Exception as e:
        tally.fail("exception", f"{what}: {type(e).__name__}: {e}", value)


def check_question(answerer: Any, raw: str, tally: Tally) -> None:
    """Everything the bot does with one piece of user text."""
    tally.inputs += 1
    _guard(tally, "normaliser", raw, lambda: normaliser_problems(raw))

    def answers() -> list[str]:
        problems: list[str] = []
        for question in (raw, question_from(raw, "UBOT")):
            started = time.perf_counter()
            answer = answerer.ask(question)
            took = time.perf_counter() - started
            tally.slowest = max(tally.slowest, took)
            if took > SLOW_QUESTION_SECONDS:
                problems.append(f"ask took {took:.2f}s")
            if not answer.text or not 0 <= answer.score <= 100:
                problems.append("malformed answer")
            json.dumps(answer.to_json())
            for shareable, shared_by in ((False, None), (True, None), (False, "U0SHARER")):
                blocks = B.answer_blocks(answer, shareable=shareable, shared_by=shared_by)
                allowed = ("<@U0SHARER>",) if shared_by else ()
                problems += B_problems(blocks, allowed)
            if LIVE_MARKUP.search(B.fallback_text(answer)):
                problems.append("live mention in fallback text")
            for value in [b.get("value") for blk in B.answer_blocks(answer) for b in blk.get("elements") or []
                          if isinstance(b, dict) and b.get("value")]:
                kind, _, _q = B.parse_value(value)
                if kind not in ("role", "responsibility", "stage", "topic", "comparison", "unanswered", ""):
                    problems.append(f"button value does not round-trip: {value[:60]!r}")
        return problems

    _guard(tally, "answer", raw, answers)
    # Slack sends the user and channel IDs; only ID-shaped ones become markup, which is allowed
    ids = (f"<@{raw}>", f"<#{raw}>") if B._SLACK_ID.match(raw) else ()
    _guard(tally, "welcome", raw, lambda: B_problems(B.welcome_blocks(answerer, raw, raw), ids) +
           B_problems(B.welcome_blocks(answerer, "U0NEW", "C0ONBOARD"), ("<@U0NEW>",)))


def B_problems(blocks: list[dict[str, Any]], allowed: tuple[str, ...] = ()) -> list[str]:  # noqa: N802
    return block_problems(blocks, B.MAX_MESSAGE_BLOCKS, allowed)


def fake_answerer(titles: list[str], summaries: list[str]) -> Any:
    """A knowledge base whose text is arbitrary (a careless or hostile edit), for the directory views."""
    roles = {f"r{i}": SimpleNamespace(id=f"r{i}", title=t or "x", summary=s)
             for i, (t, s) in enumerate(zip(titles, summaries))}
    ids = list(roles)
    stages = {f"s{i}": SimpleNamespace(id=f"s{i}", title=t or "x", order=i) for i, t in enumerate(titles[:5])}
    resps = {f"p{i}": SimpleNamespace(id=f"p{i}", title=s[:80] or "x", accountable=ids[i % len(ids)] if ids else "?",
                                      stage=f"s{i % max(1, len(stages))}" if i % 3 else "")
             for i, s in enumerate(summaries)}
    return SimpleNamespace(kb=SimpleNamespace(roles=roles, responsibilities=resps, stages=stages))


def check_directory(titles: list[str], summaries: list[str], tally: Tally) -> None:
    tally.inputs += 1
    answerer = fake_answerer(titles, summaries)
    _guard(tally, "help", titles, lambda: B_problems(B.help_blocks(answerer)) +
           (["live mention in help text"] if LIVE_MARKUP.search(B.help_text(answerer)) else []))

    def home() -> list[str]:
        view = B.home_view(answerer)
        return block_problems(view["blocks"], B.MAX_HOME_BLOCKS)

    _guard(tally, "home", titles, home)


# --- strategies ---------------------------------------------------------------------------------

def strategies() -> tuple[Any, Any]:
    from hypothesis import strategies as st

    fragment = st.sampled_from(FRAGMENTS)
    hostile = st.lists(st.one_of(fragment, st.text(max_size=20)), max_size=30).map("".join)
    long_text = st.tuples(st.one_of(fragment, st.text(min_size=1, max_size=5)),
                          st.integers(min_value=50, max_value=2500)).map(lambda t: t[0] * t[1])
    question = st.one_of(st.text(), st.text(max_size=3000), hostile, long_text,
                         st.lists(fragment, max_size=12).map(" ".join))
    directory = st.integers(min_value=0, max_value=40).flatmap(
        lambda n: st.tuples(st.lists(st.one_of(hostile, st.text()), min_size=n, max_size=n),
                            st.lists(st.one_of(hostile, long_text, st.text()), min_size=n, max_size=n)))
    return question, directory


DEFAULT_MINUTES = 5.0
"""A bare `python -m bot.fuzz` ends within this (README says so); `--minutes 0` lifts it."""


class _OutOfTime(BaseException):
    pass


def run(examples: int, seed: int | None = None, minutes: float | None = None,
        out: Callable[[str], None] = print) -> Tally:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    from bot.answers import Answerer
    from bot.knowledge import load_knowledge
    from bot.settings import default_knowledge_path

    answerer = Answerer(load_knowledge(default_knowledge_path()))
    question, directory = strategies()
    tally = Tally()
    end = time.monotonic() + minutes * 60 if minutes else None
    deadline: float | None = None  # per target: an even share of the time that is left
    opts = settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))

    def out_of_time() -> None:
        if deadline is not None and time.monotonic() > deadline:
            raise _OutOfTime  # a BaseException: hypothesis lets it through instead of shrinking

    @opts
    @given(s=question)
    def fuzz_questions(s: str) -> None:
        out_of_time()
        check_question(answerer, s, tally)

    @opts
    @given(d=directory)
    def fuzz_directory(d: tuple[list[str], list[str]]) -> None:
        out_of_time()
        check_directory(d[0], d[1], tally)

    targets = (fuzz_questions, fuzz_directory)
    for n, test in enumerate(targets):
        if end is not None:
            deadline = time.monotonic() + (end - time.monotonic()) / (len(targets) - n)
        if seed is not None:
            test = hseed(seed)(test)
        started, before = time.monotonic(), tally.inputs
        try:
            test()
        except _OutOfTime:
            out(f"{test.__name__}: stopped at the time limit")
        out(f"{test.__name__}: {tally.inputs - before} inputs in {time.monotonic() - started:.0f}s")
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20000, help="inputs per target (default 20000)")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run exactly (default: random)")
    parser.add_argument("--minutes", type=float, default=DEFAULT_MINUTES,
                        help=f"stop generating after this long (default {DEFAULT_MINUTES:g}; 0: no limit)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    tally = run(args.examples, args.seed, args.minutes)
    print(f"inputs tried: {tally.inputs}  exceptions: {tally.exceptions}  limit violations: {tally.violations}  "
          f"slowest question: {tally.slowest * 1000:.0f} ms  time: {time.monotonic() - started:.0f}s")
    for what, value in tally.examples:
        print(f"  {what}\n    input: {value}")
    return 1 if tally.exceptions or tally.violations else 0


if __name__ == "__main__":
    sys.exit(main())
