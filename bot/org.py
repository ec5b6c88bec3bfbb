"""The organisation overlay: who holds each role *in this company* (people, user groups, channels).

An optional YAML file (`MLROLE_ORG`) keeps the knowledge base generic while answers can add
"In this workspace: <group>, <#channel>, <@person>". It is validated like the knowledge base: every
problem is reported as `file:line: message` and a file with problems is not used.

    devops-engineer: {group: S0123ABC, channel: "#platform", people: [U01ABCDEF]}
    ml-engineer:
      group: "@ml-platform"            # a user group by handle (or ID); resolved live from Slack
      channel: C0456
      people: [U02, ana@example.com]   # member IDs, or emails looked up in Slack

`group` and `channel` take one value or a list. Handles and emails mean nothing until the Slack
adapter resolves them (bot.people.Directory); the overlay itself stays Slack-free.
Mentions are built only from values that match Slack's ID, handle and channel-name shapes, so a
configuration file can never smuggle `<!channel>` or arbitrary markup into a message.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from bot.knowledge.files import FileRefused, describe, read_text
from bot.knowledge.loader import Problem
from bot.knowledge.yaml_lines import LineDict, LineList, YamlSyntaxError, load_yaml
from bot.slack_ids import CHANNEL_ID, GROUP_ID, USER_ID  # noqa: F401 - also imported from here

CHANNEL_NAME = re.compile(r"^#[a-z0-9][a-z0-9._-]{0,79}$")
GROUP_HANDLE = re.compile(r"^@[a-z0-9][a-z0-9._-]{0,79}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
KEYS = ("group", "channel", "people")


class OrgError(Exception):
    """The overlay has problems; `problems` lists each with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class RoleContacts:
    role_id: str
    groups: tuple[str, ...] = ()    # user group IDs (S…) or handles (@ml-platform)
    channels: tuple[str, ...] = ()  # channel IDs (C…/G…) or names (#…)
    people: tuple[str, ...] = ()    # Slack user IDs (U…/W…) or email addresses

    @property
    def group(self) -> str | None:
        return self.groups[0] if self.groups else None

    @property
    def channel(self) -> str | None:
        return self.channels[0] if self.channels else None

    def mentions(self) -> list[str]:
        """What can be mentioned without asking Slack: IDs; handles as text; emails not at all."""
        out = [f"<!subteam^{g}>" if GROUP_ID.match(g) else g for g in self.groups]
        out += [c if c.startswith("#") else f"<#{c}>" for c in self.channels]
        out += [f"<@{person}>" for person in self.people if USER_ID.match(person)]
        return out

    def plain(self) -> list[str]:
        out = [f"@{g} group" if GROUP_ID.match(g) else g for g in self.groups]
        out += [c if c.startswith("#") else f"#{c}" for c in self.channels]
        out += [f"@{person}" for person in self.people if USER_ID.match(person)]
        return out


@dataclass(frozen=True)
class Org:
    roles: Mapping[str, RoleContacts] = field(default_factory=dict)
    source: str | None = None
    lines: Mapping[str, int] = field(default_factory=dict)
    """Where each group/person reference first appears in the file, for `kb validate --live`."""

    def __bool__(self) -> bool:
        return bool(self.roles)

    def group_refs(self) -> list[str]:
        """Every user group named, each once, in file order."""
        return list(dict.fromkeys(g for c in self.roles.values() for g in c.groups))

    def people_refs(self) -> list[str]:
        return list(dict.fromkeys(p for c in self.roles.values() for p in c.people))

    def get(self, role_id: str) -> RoleContacts | None:
        return self.roles.get(role_id)

    def _collect(self, role_ids: Iterable[str], plain: bool) -> list[str]:
        seen: set[str] = set()
        out: list[str] = []
        for role_id in role_ids:
            contacts = self.roles.get(role_id)
            if contacts is None:
                continue
            for item in (contacts.plain() if plain else contacts.mentions()):
                if item not in seen:
                    seen.add(item)
                    out.append(item)
        return out

    def contacts_for(self, role_ids: Iterable[str]) -> list[str]:
        """Slack mrkdwn mentions for these roles, in role order, each once:
        `<!subteam^S…>`, `<#C…>` or `#name`, `<@U…>`."""
        return self._collect(role_ids, plain=False)

    def plain_for(self, role_ids: Iterable[str]) -> str:
        """The same contacts as plain text for the terminal, e.g. "@S0123ABC group, #platform, @U01"."""
        return ", ".join(self._collect(role_ids, plain=True))


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _shown(value: Any) -> str:
    """A scalar as written (clipped); a list or mapping by kind only, never `repr` of a structure."""
    if isinstance(value, (list, dict)):
        return describe(value)
    return repr(value[:80] if isinstance(value, str) else value)


def _check_role(role_id: str, data: Any, line: int, file: str, problems: list[Problem],
                lines: dict[str, int] | None = None) -> RoleContacts | None:
    def add(at: int, message: str) -> None:
        problems.append(Problem(file, at, message))

    if not isinstance(data, dict):
        add(line, f"'{role_id}' should be a mapping with group, channel and/or people, not {_describe(data)}")
        return None
    at = data.line_of if isinstance(data, LineDict) else (lambda key: line)
    before = len(problems)
    for key in data:
        if key not in KEYS:
            hint = difflib.get_close_matches(str(key), KEYS, n=1)
            add(at(str(key)), f"'{role_id}': unknown key '{key}'"
                + (f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(KEYS)})"))
    if "channel" in data and data.get("channel") is None:
        add(at("channel"), f"'{role_id}': channel is empty — unquoted, # starts a YAML comment: "
                           "write the name in quotes, channel: \"#ml-eng\", or use the channel ID (C0123ABC)")
    groups = _one_or_list(data.get("group"), at("group"), f"'{role_id}': group", problems, file,
                          "a user group ID like S0123ABC or a handle in quotes like \"@ml-platform\"",
                          lambda g: bool(GROUP_ID.match(g) or GROUP_HANDLE.match(g)),
                          "is not a Slack user group ID (S followed by capital letters and digits, e.g. "
                          "S0123ABC) nor a handle in quotes (\"@ml-platform\": lowercase, digits, - _ .)")
    channels = _one_or_list(data.get("channel"), at("channel"), f"'{role_id}': channel", problems, file,
                            "C0123ABC or \"#name\"",
                            lambda c: bool(CHANNEL_ID.match(c) or CHANNEL_NAME.match(c)),
                            "is neither a channel ID (C0123ABC) nor a channel name in quotes "
                            "(\"#platform\": lowercase, digits, - _ .)")
    people = data.get("people")
    if people is not None:
        if not isinstance(people, list):
            add(at("people"), f"'{role_id}': people should be a list of Slack user IDs ([U0123ABC]), "
                              f"not {_describe(people)}")
            people = None
        else:
            for index, person in enumerate(people):
                person_line = people.line_of(index) if isinstance(people, LineList) else at("people")
                if not isinstance(person, str) or not (USER_ID.match(person) or EMAIL.match(person)):
                    add(person_line, f"'{role_id}': people entry {_shown(person)} is not a Slack user ID "
                                     "(U or W followed by capital letters and digits) or an email address")
                elif lines is not None:
                    lines.setdefault(person, person_line)
    if not groups and not channels and not people and len(problems) == before:
        add(line, f"'{role_id}' names no group, channel or people")
    if len(problems) > before:
        return None
    if lines is not None:
        for group in groups:
            lines.setdefault(group, at("group"))
    return RoleContacts(role_id, tuple(dict.fromkeys(groups)), tuple(dict.fromkeys(channels)),
                        tuple(dict.fromkeys(people or ())))


def _one_or_list(value: Any, line: int, what: str, problems: list[Problem], file: str, example: str,
                 valid: Any, invalid: str) -> list[str]:
    """`group`/`channel`: one text value or a list of them; each checked against its shape."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for index, item in enumerate(items):
        at = value.line_of(index) if isinstance(value, LineList) else line
        if not isinstance(item, str):
            problems.append(Problem(file, at, f"{what} should be text ({example}), not {_describe(item)}"))
        elif not valid(item):
            problems.append(Problem(file, at, f"{what} {_shown(item)} {invalid}"))
        else:
            out.append(item)
    return out


def check_org(path: str | Path, role_ids: Iterable[str]) -> tuple[Org | None, list[Problem]]:
    """Load and validate an overlay against the knowledge base's role IDs.

    Returns the overlay (None when there are problems) and every problem found."""
    path = Path(path)
    file = str(path)
    known = set(role_ids)
    problems: list[Problem] = []
    try:
        text = read_text(path)
    except UnicodeDecodeError as exc:
        return None, [Problem(file, 1, f"not UTF-8 text ({exc.reason})")]
    except FileRefused as exc:
        return None, [Problem(file, 1, f"cannot read the organisation file (MLROLE_ORG): {exc}")]
    try:
        data, duplicates = load_yaml(text)
    except YamlSyntaxError as exc:
        return None, [Problem(file, exc.line, exc.message)]
    for line, key in duplicates:
        problems.append(Problem(file, line, f"role '{key}' given twice"))
    if data is None:
        return (Org({}, file), []) if not problems else (None, problems)
    if not isinstance(data, dict):
        problems.append(Problem(file, getattr(data, "line", 1) or 1,
                                f"should be a mapping of role IDs to contacts, not {_describe(data)}"))
        return None, problems
    roles: dict[str, RoleContacts] = {}
    lines: dict[str, int] = {}
    for role_id, value in data.items():
        line = data.line_of(str(role_id)) if isinstance(data, LineDict) else 1
        if not isinstance(role_id, str) or role_id not in known:
            hint = difflib.get_close_matches(str(role_id), sorted(known), n=1)
            problems.append(Problem(file, line, f"unknown role '{str(role_id)[:80]}'"
                                    + (f" (did you mean '{hint[0]}'?)" if hint else "")))
            continue
        contacts = _check_role(role_id, value, line, file, problems, lines)
        if contacts is not None:
            roles[role_id] = contacts
    if problems:
        return None, sorted(problems, key=lambda p: p.line)
    return Org(roles, file, lines), []


def load_org(path: str | Path, role_ids: Iterable[str]) -> Org:
    """A clean overlay, or OrgError listing every problem."""
    org, problems = check_org(path, role_ids)
    if org is None:
        raise OrgError(problems)
    return org


def org_from_settings(org_file: str | Path | None, role_ids: Iterable[str]) -> Org:
    """The overlay named by settings (`Settings.org_file`, from MLROLE_ORG), or an empty one if unset.

    Raises OrgError when the file is set but has problems: a broken overlay should stop the bot at
    start-up rather than silently drop the company's contacts."""
    if not org_file:
        return Org({}, None)
    return load_org(org_file, role_ids)
