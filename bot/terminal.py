"""Text from outside (Slack users, forged button values) made safe to print on a terminal."""

from __future__ import annotations

import re
import unicodedata

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")


def printable(text: str) -> str:
    """`text` without escape sequences or control characters (C0, C1, DEL, bidi overrides): they
    could recolour, move the cursor, retitle the terminal or reorder what a curator reads."""
    text = _ANSI.sub("", text)
    return "".join(" " if c in "\t\n\r" else c for c in text
                   if c in "\t\n\r" or unicodedata.category(c) not in ("Cc", "Cf") or c in "\u200d")
