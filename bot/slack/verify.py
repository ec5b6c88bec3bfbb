"""Slack's request signature, checked over the raw bytes before anything parses them.

bolt parses a body (JSON, form, `payload=`) when it builds its request object, i.e. before it
checks the signature: unsigned junk (bad JSON, `null`, deep `[[[[`, non-UTF-8 bytes, a bogus
charset, a 5,000-digit timestamp) then reaches the parser and ends as a 500 with a traceback.
Here the signature is checked first (HMAC-SHA256 over `v0:{timestamp}:{raw body}`), and only a
signed body is decoded and parsed; anything else gets 400/401 and one bounded, escaped log line
that never includes the body.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.request.internals import parse_body

from bot.ratelog import RateLimitedLog, summary

log = logging.getLogger("mlrole.slack")
refusals = RateLimitedLog(log, interval=10.0)

MAX_CLOCK_SKEW = 300
"""Slack's documented window: a request older (or newer) than five minutes is refused."""
TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str


def check_signature(secret: str, raw: bytes, timestamp: str | None, signature: str | None,
                    now: float | None = None) -> Refusal | None:
    """None when Slack signed these exact bytes within the last five minutes."""
    if not secret:
        return Refusal(401, "no signing secret configured")
    if not timestamp or not signature:
        return Refusal(401, "unsigned")
    ts = timestamp.strip()
    if not ts.isascii() or not ts.isdigit() or len(ts) > TIMESTAMP_DIGITS:
        return Refusal(401, "malformed timestamp")
    if abs((time.time() if now is None else now) - int(ts)) > MAX_CLOCK_SKEW:
        return Refusal(401, "stale timestamp")
    expected = "v0=" + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
        return Refusal(401, "bad signature")
    return None


def decode_signed(raw: bytes, content_type: str | None) -> tuple[str | None, Refusal | None]:
    """The body as text, once it is known to be Slack's: UTF-8 (whatever charset is claimed), parsing
    to a mapping exactly as bolt will parse it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, Refusal(400, "body is not UTF-8")
    try:
        parsed: Any = parse_body(text, content_type)
    except (ValueError, RecursionError, TypeError):
        return None, Refusal(400, "body does not parse")
    if not isinstance(parsed, dict):
        return None, Refusal(400, "body is not a mapping")
    return text, None


def is_ssl_check(raw: bytes) -> bool:
    """Slack's probe of the Request URL's certificate (`ssl_check=1`), which needs no signature."""
    if len(raw) > 512:
        return False
    return dict(parse_qsl(raw.decode("ascii", "replace"))).get("ssl_check") == "1"


def log_refusal(refusal: Refusal, remote: str | None, size: int, path: str) -> None:
    """One short line per kind of refusal (and a count of the rest), never the body."""
    refusals.warning(refusal.reason, "request refused (%d %s): path=%s remote=%s bytes=%d",
                     refusal.status, refusal.reason, summary(path, 60), summary(remote or "-", 60), size)
