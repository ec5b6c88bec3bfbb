"""Resolve the org overlay's user groups and people against Slack, and keep the result fresh.

`resolve` asks Slack once per reference (usergroups.list, usergroups.users.list, users.info,
users.lookupByEmail) and returns a core `Directory`. `SlackPeople` caches it in the core's
`PeopleBook` for `interval` seconds: questions arriving while a refresh runs wait on that one
refresh (briefly: past `wait` seconds they are answered from the last snapshot), a 429 pushes the
next attempt past Slack's Retry-After, and a failed refresh keeps the last good directory.

Only an answer from Slack that a reference is gone (absent from usergroups.list, disabled,
`no_such_subteam`, `users_not_found`, a deleted user) marks it missing; an error or an outage
never does, so a flaky network cannot make the company's people disappear from answers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.org import GROUP_ID, USER_ID, Org
from bot.people import MEMBERS_KEPT, Directory, Group, PeopleBook, Person

log = logging.getLogger("mlrole.people")

REFRESH_INTERVAL = 900.0
"""Seconds a directory is served before it is asked for again (user groups change slowly)."""
ANSWER_WAIT = 2.0
"""Seconds a question waits for a refresh in flight before it is answered from the last snapshot."""
MIN_RETRY = 30.0
"""After a failed refresh, at least this long before the next try (Slack's Retry-After if longer)."""

_GONE = {"no_such_subteam", "subteam_not_found", "user_not_found", "users_not_found"}


class DirectoryUnavailable(Exception):
    """Slack could not be asked (scope, token, outage, rate limit); `retry_after` in seconds."""

    def __init__(self, error: str, retry_after: float = 0.0) -> None:
        super().__init__(error)
        self.error = error
        self.retry_after = retry_after


def _retry_after(e: SlackApiError) -> float:
    headers = getattr(e.response, "headers", None) or {}
    for key, value in dict(headers).items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return 0.0
    return 0.0


def _error(e: SlackApiError) -> str:
    return str(e.response.get("error") if e.response is not None else "") or "error"


def display_name(user: dict[str, Any]) -> str:
    profile = user.get("profile") or {}
    return str(profile.get("display_name") or profile.get("real_name") or user.get("real_name")
               or user.get("name") or user.get("id") or "")


async def _call(method: Any, **kwargs: Any) -> dict[str, Any] | None:
    """The response's data, None when Slack says the thing is gone; DirectoryUnavailable otherwise."""
    try:
        response = await method(**kwargs)
    except SlackApiError as e:
        error = _error(e)
        if error in _GONE:
            return None
        raise DirectoryUnavailable(error, _retry_after(e)) from e
    except (asyncio.TimeoutError, OSError) as e:
        raise DirectoryUnavailable(type(e).__name__) from e
    return dict(response.data) if isinstance(response.data, dict) else {}


async def resolve(client: AsyncWebClient, org: Org, members_kept: int = MEMBERS_KEPT) -> Directory:
    """The overlay's groups and people as Slack knows them now."""
    groups: dict[str, Group] = {}
    people: dict[str, Person] = {}
    missing: set[str] = set()
    names: dict[str, Person | None] = {}

    async def person(user_id: str) -> Person | None:
        if user_id not in names:
            data = await _call(client.users_info, user=user_id)
            user = (data or {}).get("user") or {}
            names[user_id] = None if not user or user.get("deleted") else Person(user_id, display_name(user))
        return names[user_id]

    group_refs = org.group_refs()
    if group_refs:
        data = await _call(client.usergroups_list, include_disabled=True)
        listed = (data or {}).get("usergroups") or []
        by_ref: dict[str, dict[str, Any]] = {}
        for g in listed:
            if g.get("date_delete"):  # disabled: as good as gone for answers
                continue
            by_ref[str(g.get("id"))] = g
            by_ref["@" + str(g.get("handle"))] = g
        for ref in group_refs:
            found = by_ref.get(ref if GROUP_ID.match(ref) else ref.lower())
            if found is None:
                missing.add(ref)
                continue
            members = await _call(client.usergroups_users_list, usergroup=found["id"])
            if members is None:
                missing.add(ref)
                continue
            ids = [str(u) for u in members.get("users") or []]
            named = []
            for user_id in ids[:members_kept]:
                p = await person(user_id)
                if p is not None:
                    named.append(p)
            groups[ref] = Group(str(found["id"]), str(found.get("handle") or ""), str(found.get("name") or ""),
                                tuple(named), len(ids))
    for ref in org.people_refs():
        if USER_ID.match(ref):
            found_person = await person(ref)
        else:
            data = await _call(client.users_lookupByEmail, email=ref)
            user = (data or {}).get("user") or {}
            found_person = Person(str(user["id"]), display_name(user)) if user.get("id") and not user.get("deleted") \
                else None
        if found_person is None:
            missing.add(ref)
        else:
            people[ref] = found_person
    return Directory(groups, people, frozenset(missing), time.time())


class SlackPeople:
    """Keeps `book.directory` fresh for the overlay `org()` returns (it changes on reload)."""

    def __init__(self, client: AsyncWebClient, book: PeopleBook, org: Callable[[], Org],
                 interval: float = REFRESH_INTERVAL, clock: Callable[[], float] = time.monotonic) -> None:
        self.client, self.book, self.org, self.interval, self.clock = client, book, org, interval, clock
        self.next_refresh = 0.0
        self.last_error: str | None = None
        self.refreshes = 0
        self._resolved_for: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._inflight: asyncio.Task[None] | None = None

    def _refs(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        org = self.org()
        return tuple(org.group_refs()), tuple(org.people_refs())

    def due(self) -> bool:
        """Stale, or the overlay now names other groups/people than the snapshot resolved."""
        refs = self._refs()
        if not any(refs):
            return False
        if self.clock() >= self.next_refresh:
            return True
        return self._resolved_for != refs and self.last_error is None  # reloaded overlay: now

    async def ensure_fresh(self, wait: float | None = -1.0) -> None:
        """Refresh if due; concurrent callers share one refresh, waiting at most `wait` seconds
        (default ANSWER_WAIT; None: until it ends). Never raises."""
        wait = ANSWER_WAIT if wait is not None and wait < 0 else wait
        if self._inflight is None:
            if not self.due():
                return
            self._inflight = asyncio.create_task(self._refresh(), name="people-refresh")
            self._inflight.add_done_callback(self._done)
        try:
            await asyncio.wait_for(asyncio.shield(self._inflight), timeout=wait)
        except asyncio.TimeoutError:
            log.info("people directory still refreshing; answering from the last snapshot")
        except Exception:  # _refresh handles its own errors; this is belt and braces
            log.exception("people directory refresh failed")

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight = None

    async def _refresh(self) -> None:
        refs = self._refs()
        org = self.org()
        try:
            directory = await resolve(self.client, org)
        except DirectoryUnavailable as e:
            wait = max(e.retry_after, MIN_RETRY)
            self.next_refresh = self.clock() + wait
            self.last_error = e.error
            log.warning("could not resolve the org overlay's people in Slack (%s); keeping the last "
                        "directory, next try in %.0f s", e.error, wait)
            return
        self.refreshes += 1
        self.book.directory = directory
        self._resolved_for = refs
        self.last_error = None
        self.next_refresh = self.clock() + self.interval
        for ref in sorted(directory.missing):
            shown = ref if GROUP_ID.match(ref) or ref.startswith("@") or USER_ID.match(ref) \
                else f"the person by email on line {org.lines.get(ref, '?')}"  # no emails in logs
            log.warning("org overlay: %s no longer exists in Slack; left out of answers", shown)


def resolve_once(settings: Any, org: Org) -> Directory:
    """One resolution for the CLI (`kb validate --live`, `kb export --live`, `ask --live`).

    Raises DirectoryUnavailable with a one-line reason when there is no token or Slack says no."""
    if not settings.bot_token:
        raise DirectoryUnavailable("SLACK_BOT_TOKEN is not set: --live asks Slack with the bot token "
                                   "(scopes usergroups:read, users:read, users:read.email)")
    from bot.slack.app import build_client

    async def go() -> Directory:
        return await resolve(build_client(settings, settings.bot_token), org)

    return asyncio.run(go())


def missing_problems(org: Org, directory: Directory) -> list[Any]:
    """`file:line: …` for every group or person Slack no longer knows."""
    from bot.knowledge.loader import Problem

    out = []
    for ref in sorted(directory.missing, key=lambda r: org.lines.get(r, 0)):
        what = "user group" if GROUP_ID.match(ref) or ref.startswith("@") else "person"
        out.append(Problem(str(org.source or "MLROLE_ORG"), org.lines.get(ref, 1),
                           f"{what} '{ref}' does not exist in Slack (any more): it is left out of answers; "
                           "fix or remove it"))
    return out
