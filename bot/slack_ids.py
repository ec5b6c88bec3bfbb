"""The shapes of Slack's IDs, checked wherever a file, a setting or a payload names one.

Only the shapes: nothing here talks to Slack. Real IDs are about a dozen characters; 40 bounds
anything pasted by mistake.
"""

from __future__ import annotations

import re

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,40}$")
GROUP_ID = re.compile(r"^S[A-Z0-9]{2,40}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,40}$")
"""A public or private channel."""
CONVERSATION_ID = re.compile(r"^[CDG][A-Z0-9]{2,40}$")
"""A channel or a direct message."""
