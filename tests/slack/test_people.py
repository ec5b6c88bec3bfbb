"""The people behind the roles, resolved against the Web API stub: user groups by handle and ID,
people by email, one refresh for many questions, a vanished group, 429s, and the served page."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from slack_sdk.web.async_client import AsyncWebClient

from bot.cli import main
from bot.live import LiveKnowledge
from bot.settings import Settings
from bot.slack import blocks
from bot.slack.app import build_client
from bot.slack.people import SlackPeople, resolve
from bot.slack.server import create_web_app
from bot.storage import MemoryStore
from tests.slack.harness import (
    FIXTURE_KB,
    SECRET,
    TEAM,
    SlackStub,
    running,
    sign,
    trigger_id,
)

ORG = """\
ml-engineer:
  group: "@ml-platform"
  channel: "#ml-platform"
devops-engineer:
  group: [S0PLATFRM, "@old-team"]
  people: [carol@example.com, nobody@example.com]
data-scientist: {group: "@ds-guild", people: [U0DAN]}
"""

NAMES = {"U0ANA": "Ana", "U0BEN": "Ben", "U0CY": "Cy", "U0DEE": "Dee", "U0EVE": "Eve",
         "U0CAROL": "Carol", "U0DAN": "Dan", "U0FAY": "Fay"}


class PeopleStub(SlackStub):
    """The Web API stub plus the four methods the people directory uses, shaped like Slack's."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[dict[str, Any]] = [
            {"id": "S0MLPLAT", "team_id": TEAM, "is_usergroup": True, "name": "ML platform",
             "handle": "ml-platform", "date_delete": 0, "user_count": 5},
            {"id": "S0PLATFRM", "team_id": TEAM, "is_usergroup": True, "name": "Platform",
             "handle": "platform", "date_delete": 0, "user_count": 1},
            {"id": "S0DSGUILD", "team_id": TEAM, "is_usergroup": True, "name": "DS guild",
             "handle": "ds-guild", "date_delete": 1700000000, "user_count": 0},  # disabled
        ]
        self.members = {"S0MLPLAT": ["U0ANA", "U0BEN", "U0CY", "U0DEE", "U0EVE"], "S0PLATFRM": ["U0FAY"],
                        "S0DSGUILD": []}
        self.emails = {"carol@example.com": "U0CAROL"}

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method not in ("usergroups.list", "usergroups.users.list", "users.info", "users.lookupByEmail"):
            return await super().api(request)
        method, params, refused = await self._record(request)
        if refused is not None:
            return refused
        if method == "usergroups.list":
            return web.json_response({"ok": True, "usergroups": self.groups})
        if method == "usergroups.users.list":
            group = str(params.get("usergroup"))
            if group not in self.members:
                return web.json_response({"ok": False, "error": "no_such_subteam"})
            return web.json_response({"ok": True, "users": self.members[group]})
        if method == "users.info":
            user = str(params.get("user"))
            if user not in NAMES:
                return web.json_response({"ok": False, "error": "user_not_found"})
            return web.json_response({"ok": True, "user": self.user(user)})
        user = self.emails.get(str(params.get("email")))
        if user is None:
            return web.json_response({"ok": False, "error": "users_not_found"})
        return web.json_response({"ok": True, "user": self.user(user)})

    @staticmethod
    def user(user_id: str) -> dict[str, Any]:
        name = NAMES[user_id]
        return {"id": user_id, "team_id": TEAM, "name": name.lower(), "deleted": False, "real_name": f"{name} Doe",
                "profile": {"real_name": f"{name} Doe", "display_name": name}, "is_bot": False}

    def count(self, method: str) -> int:
        return len(self.sent(method))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def people_stub():
    async with running(PeopleStub()) as s:
        yield s


@pytest.fixture
def live(tmp_path: Path) -> LiveKnowledge:
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    return LiveKnowledge(FIXTURE_KB, org)


def settings_for(stub: PeopleStub, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(knowledge=FIXTURE_KB, bot_token="xoxb-test-token", signing_secret=SECRET,
                                  api_url=stub.api_url)
    values.update(overrides)
    return Settings(**values)


def people_for(stub: PeopleStub, live: LiveKnowledge, client: AsyncWebClient | None = None,
               clock: Clock | None = None, interval: float = 900.0) -> SlackPeople:
    client = client or build_client(settings_for(stub), "xoxb-test-token")
    return SlackPeople(client, live.people, lambda: live.answerer.org, interval=interval,
                       clock=clock or Clock())


async def test_groups_by_handle_and_id_people_by_email(people_stub, live):
    people = people_for(people_stub, live)
    await people.ensure_fresh(wait=None)
    answer = live.answerer.ask("who owns model deployment?")
    assert answer.roles[0] == "ml-engineer"
    lines = answer.text.splitlines()
    at = lines.index("In this workspace:")
    assert lines[at + 1] == "ML Engineer (owner) — @ml-platform: Ana, Ben and 3 more · #ml-platform"
    assert lines[at + 2] == "DevOps Engineer — @platform: Fay · Carol"
    assert "old-team" not in answer.text and "nobody@" not in answer.text

    contacts = answer.to_json()["contacts"]
    assert [c["role"] for c in contacts] == ["ml-engineer", "devops-engineer"]
    assert contacts[0]["owner"] is True and contacts[1]["owner"] is False
    group = contacts[0]["groups"][0]
    assert (group["id"], group["handle"], group["size"]) == ("S0MLPLAT", "ml-platform", 5)
    assert [m["name"] for m in group["members"]] == ["Ana", "Ben", "Cy", "Dee", "Eve"]
    assert contacts[0]["channels"] == ["#ml-platform"] and contacts[0]["users"] == []
    assert contacts[1]["users"] == [{"id": "U0CAROL", "name": "Carol"}]
    assert [g["handle"] for g in contacts[1]["groups"]] == ["platform"]
    assert "carol@example.com" not in json.dumps(answer.to_json())  # emails are keys, never repeated

    card = json.dumps(blocks.answer_blocks(answer), ensure_ascii=False)
    assert "*ML Engineer (owner)* — <!subteam^S0MLPLAT>: Ana, Ben and 3 more · #ml-platform" in card
    assert "*DevOps Engineer* — <!subteam^S0PLATFRM>: Fay · <@U0CAROL>" in card
    assert people_stub.sent("users.lookupByEmail")[0]["email"] == "carol@example.com"
    assert {p["usergroup"] for p in people_stub.sent("usergroups.users.list")} == {"S0MLPLAT", "S0PLATFRM"}


async def test_a_vanished_or_disabled_group_is_skipped_never_shown_broken(people_stub, live, caplog):
    caplog.set_level(logging.WARNING, "mlrole.people")
    await people_for(people_stub, live).ensure_fresh(wait=None)
    directory = live.people.directory
    assert directory.missing == {"@old-team", "@ds-guild", "nobody@example.com"}
    answer = live.answerer.ask("data scientist")
    # the disabled @ds-guild is gone; the person named by ID stays
    assert answer.to_json()["contacts"] == [{"role": "data-scientist", "title": "Data Scientist", "owner": False,
                                             "users": [{"id": "U0DAN", "name": "Dan"}], "groups": [],
                                             "channels": []}]
    card = json.dumps(blocks.answer_blocks(answer), ensure_ascii=False)
    assert "ds-guild" not in card and "<@U0DAN>" in card
    assert "@old-team no longer exists in Slack" in caplog.text
    assert "the person by email on line 6 no longer exists" in caplog.text and "nobody@" not in caplog.text


async def test_one_refresh_serves_many_questions_until_it_is_stale(people_stub, live):
    clock = Clock()
    people = people_for(people_stub, live, clock=clock)

    async def question() -> str:
        await people.ensure_fresh(wait=None)
        return live.answerer.ask("who owns model deployment?").text

    answers = await asyncio.gather(*(question() for _ in range(25)))
    assert all("Ana, Ben and 3 more" in a for a in answers)
    assert people_stub.count("usergroups.list") == 1 and people.refreshes == 1
    calls = len(people_stub.calls)

    clock.now += 899  # still fresh: Slack is not asked again
    await question()
    assert len(people_stub.calls) == calls

    people_stub.members["S0MLPLAT"] = ["U0ANA", "U0BEN"]  # the team changed in Slack
    clock.now += 2
    assert "@ml-platform: Ana and Ben ·" in await question()
    assert people_stub.count("usergroups.list") == 2 and people.refreshes == 2


async def test_a_reloaded_overlay_is_resolved_at_once(people_stub, live, tmp_path):
    people = people_for(people_stub, live)
    await people.ensure_fresh(wait=None)
    (tmp_path / "org.yaml").write_text('ml-engineer: {group: "@platform"}\n', encoding="utf-8")
    assert live.reload()
    await people.ensure_fresh(wait=None)  # the overlay names other groups: no waiting for the interval
    assert "@platform: Fay" in live.answerer.ask("ml engineer").text
    assert people_stub.count("usergroups.list") == 2


async def test_429_is_retried_after_retry_after_within_one_refresh(people_stub, live):
    people_stub.retry_after = "0"
    people_stub.fail_next["usergroups.list"] = 429
    people = people_for(people_stub, live)  # the app's client: slack_sdk's rate-limit retry handler
    await people.ensure_fresh(wait=None)
    assert people_stub.count("usergroups.list") == 2
    assert live.people.directory is not None and people.last_error is None


async def test_429_keeps_the_last_directory_and_waits_as_long_as_slack_asks(people_stub, live):
    clock = Clock()
    client = AsyncWebClient(token="xoxb-test-token", base_url=people_stub.api_url)  # no retry handler
    people = people_for(people_stub, live, client=client, clock=clock, interval=60)
    await people.ensure_fresh(wait=None)
    good = live.people.directory
    assert good is not None

    people_stub.retry_after = "120"
    people_stub.fail_always["usergroups.list"] = 429
    clock.now += 61
    await people.ensure_fresh(wait=None)
    assert people.last_error == "ratelimited" and people.next_refresh == clock.now + 120
    assert live.people.directory is good  # answers keep naming the people they named
    assert "Ana, Ben and 3 more" in live.answerer.ask("who owns model deployment?").text
    asked = people_stub.count("usergroups.list")

    clock.now += 119
    for _ in range(5):
        await people.ensure_fresh(wait=None)
    assert people_stub.count("usergroups.list") == asked  # Retry-After honoured

    del people_stub.fail_always["usergroups.list"]
    clock.now += 2
    await people.ensure_fresh(wait=None)
    assert people.last_error is None and live.people.directory is not good


async def test_an_outage_never_marks_anyone_missing(people_stub, live):
    people_stub.fail_always["usergroups.list"] = 500
    client = AsyncWebClient(token="xoxb-test-token", base_url=people_stub.api_url)
    await people_for(people_stub, live, client=client).ensure_fresh(wait=None)
    assert live.people.directory is None
    text = live.answerer.ask("who owns model deployment?").text  # the overlay as written, unresolved
    assert "ML Engineer (owner) — @ml-platform · #ml-platform" in text


async def test_resolve_asks_each_name_once(people_stub, live):
    directory = await resolve(build_client(settings_for(people_stub), "xoxb-test-token"), live.answerer.org)
    users = [p["user"] for p in people_stub.sent("users.info")]
    assert len(users) == len(set(users))
    assert directory.people["U0DAN"].name == "Dan"


async def test_kb_validate_live_reports_the_vanished(people_stub, tmp_path, monkeypatch, capsys):
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    monkeypatch.setenv("MLROLE_ORG", str(org))
    monkeypatch.setenv("SLACK_API_URL", people_stub.api_url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    assert await asyncio.to_thread(main, ["kb", "validate", "--live", "--knowledge", str(FIXTURE_KB)]) == 2
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    assert await asyncio.to_thread(main, ["kb", "validate", "--live", "--knowledge", str(FIXTURE_KB)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:3] == [
        f"{org}:5: user group '@old-team' does not exist in Slack (any more): it is left out of answers; "
        "fix or remove it",
        f"{org}:6: person 'nobody@example.com' does not exist in Slack (any more): it is left out of answers; "
        "fix or remove it",
        f"{org}:7: user group '@ds-guild' does not exist in Slack (any more): it is left out of answers; "
        "fix or remove it"]

    org.write_text('ml-engineer: {group: "@ml-platform", people: [carol@example.com]}\n', encoding="utf-8")
    assert await asyncio.to_thread(main, ["kb", "validate", "--live", "--knowledge", str(FIXTURE_KB)]) == 0
    assert "live: 1 user group(s), 1 person(s) found in Slack" in capsys.readouterr().out


async def test_ask_live_and_export_live_name_people(people_stub, tmp_path, monkeypatch, capsys):
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    for name, value in {"MLROLE_ORG": str(org), "SLACK_API_URL": people_stub.api_url,
                        "SLACK_BOT_TOKEN": "xoxb-test-token", "MLROLE_KNOWLEDGE": str(FIXTURE_KB)}.items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(main, ["ask", "--live", "--json", "who owns model deployment?"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["contacts"][0]["groups"][0]["size"] == 5
    assert await asyncio.to_thread(main, ["kb", "export", "--html", str(tmp_path / "site"), "--live"]) == 0
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "@ml-platform</strong>: Ana, Ben and 3 more" in page and "Carol" in page


# --- through the running app -------------------------------------------------------------------

async def start_app(stub: PeopleStub, live: LiveKnowledge, **settings: Any):
    web_app = create_web_app(settings_for(stub, **settings), live, MemoryStore())
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    return server


async def post_command(session: aiohttp.ClientSession, server: TestServer, stub: PeopleStub, text: str) -> None:
    form = urlencode({"token": "x", "team_id": TEAM, "team_domain": "test", "channel_id": "CRANDOM",
                      "channel_name": "random", "user_id": "UALICE", "user_name": "alice", "command": "/mlrole",
                      "text": text, "api_app_id": "A1", "response_url": stub.response_url("cmd"),
                      "trigger_id": trigger_id()})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(form)}
    async with session.post(server.make_url("/slack/events"), data=form.encode(), headers=headers) as resp:
        assert resp.status == 200


async def test_slash_commands_and_app_home_show_the_people(people_stub, live, monkeypatch):
    monkeypatch.setattr("bot.slack.people.ANSWER_WAIT", 60.0)  # a loaded CI machine: never answer early
    server = await start_app(people_stub, live)
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(3):
                await post_command(session, server, people_stub, "who owns model deployment?")
            replies = await people_stub.wait_for("response_url", count=3, timeout=30)
            event = json.dumps({"token": "x", "team_id": TEAM, "api_app_id": "A1", "type": "event_callback",
                                "event_id": "EvHome", "event_time": 1,
                                "event": {"type": "app_home_opened", "user": "UALICE", "channel": "D1",
                                          "tab": "home", "event_ts": "1.1"}})
            headers = {"Content-Type": "application/json", **sign(event)}
            async with session.post(server.make_url("/slack/events"), data=event.encode(), headers=headers) as r:
                assert r.status == 200
            view = (await people_stub.wait_for("views.publish", timeout=30))[0]["view"]
    finally:
        await server.close()
    for reply in replies:
        assert "<!subteam^S0MLPLAT>: Ana, Ben and 3 more" in json.dumps(reply["blocks"], ensure_ascii=False)
    assert people_stub.count("usergroups.list") == 1  # one refresh for every question
    home = json.dumps(view if isinstance(view, dict) else json.loads(view), ensure_ascii=False)
    assert "*ML Engineer*" in home
    assert ":busts_in_silhouette: <!subteam^S0MLPLAT>: Ana, Ben and 3 more · #ml-platform" in home


async def test_the_page_is_served_only_when_turned_on(people_stub, live, kb_copy):
    server = await start_app(people_stub, live)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(server.make_url("/")) as resp:
                assert resp.status == 404
    finally:
        await server.close()

    live = LiveKnowledge(kb_copy, live.org_file)
    await people_for(people_stub, live).ensure_fresh(wait=None)
    server = await start_app(people_stub, live, public_page=True)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(server.make_url("/")) as resp:
                assert resp.status == 200 and resp.content_type == "text/html"
                assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
                page = await resp.text()
            assert page.count('<tr data-resp="') == len(live.answerer.kb.responsibilities)
            assert "@ml-platform" in page and "Ben" not in page  # no one's name on a page without sign-in
            role = kb_copy / "roles" / "ml-engineer.yaml"
            role.write_text(role.read_text(encoding="utf-8").replace("title: Machine Learning Engineer",
                                                                     "title: ML Engineer (renamed)"),
                            encoding="utf-8")
            assert live.reload()
            async with session.get(server.make_url("/")) as resp:
                assert "ML Engineer (renamed)" in await resp.text()
    finally:
        await server.close()


def test_many_contacts_are_cut_between_lines_never_inside_a_mention():
    from bot.answers import Answer
    from bot.people import Contacts, GroupContact, Person

    members = tuple(Person(f"U0{i:03d}", "N" * 30) for i in range(10))
    contacts = tuple(Contacts(f"r{i}", f"Role {i}", groups=(GroupContact(f"S0{i:04d}", f"team-{i}", members, 40),),
                              channels=("#" + "c" * 70,), users=tuple(Person(f"U1{i}{j:02d}") for j in range(8)))
                     for i in range(12))
    answer = Answer(question="q", answered=True, kind="stage", id="x", title="X", headline="X", contacts=contacts)
    context = [b for b in blocks.answer_blocks(answer) if b["type"] == "context" and "workspace" in json.dumps(b)]
    text = context[0]["elements"][0]["text"]
    assert len(text) <= blocks.MAX_CONTEXT_TEXT and text.endswith("\n…")
    assert text.count("<") == text.count(">")  # every mention whole
