"""manifest.yml asks for exactly what the code uses: scopes, events, and the names of its surfaces."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.slack.listeners import shortcut, workflow
from bot.slack.scopes import BOT_EVENTS, BOT_SCOPES, SCOPE_USES

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SLACK = json.loads((FIXTURES / "slack_scopes.json").read_text())
CODE = "\n".join(p.read_text() for p in sorted((ROOT / "bot").rglob("*.py")) if "bench" not in p.parts)
NOT_WEB_API = {"send_dict"}  # the response_url webhook client
BOLT_HELPERS = {  # bolt's listener arguments and the Web API method each one calls
    "set_status": "assistant.threads.setStatus",
    "set_suggested_prompts": "assistant.threads.setSuggestedPrompts",
    "complete": "functions.completeSuccess",
    "fail": "functions.completeError",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def methods_called() -> set[str]:
    """Every Web API method the code calls or passes on to be called, from slack_sdk's names
    (chat_postMessage → chat.postMessage)."""
    sdk = {m.replace("_", ".") for m in re.findall(r"\bclient\.([a-z]+(?:_[a-zA-Z]+)+)\s*[(,]", CODE)
           if m not in NOT_WEB_API}
    helpers = {method for name, method in BOLT_HELPERS.items()
               if re.search(rf"\bawait (?:self\.)?{name}\(", CODE)}
    return sdk | helpers


def events_listened() -> set[str]:
    events = set(re.findall(r'app\.event\("(\w+)"', CODE))
    if "message" in events:  # the message listener answers direct messages only
        events = (events - {"message"}) | {"message.im"}
    if re.search(r"app\.function\(", CODE):
        events.add("function_executed")
    return events


def scopes_needed() -> set[str]:
    needed: set[str] = set()
    for method in methods_called():
        assert method in SLACK["methods"], f"{method} is called: add its scopes to fixtures/slack_scopes.json"
        needed.update(SLACK["methods"][method])
    for event in events_listened():
        needed.update(SLACK["events"][event])
    for kind, scopes in SLACK["interactions"].items():
        if re.search(rf"app\.{kind}\(", CODE):
            needed.update(scopes)
    return needed


def test_the_code_finds_what_it_calls():
    called = methods_called()
    assert {"chat.postMessage", "conversations.canvases.create", "assistant.threads.setStatus",
            "functions.completeError"} <= called


def test_declared_scopes_are_exactly_those_the_code_needs():
    assert set(BOT_SCOPES) == scopes_needed()
    assert len(BOT_SCOPES) == len(set(BOT_SCOPES)) and all(SCOPE_USES[s] for s in BOT_SCOPES)


def test_manifest_scopes_and_events_match_the_code(manifest):
    bot_scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert sorted(bot_scopes) == sorted(BOT_SCOPES) and len(bot_scopes) == len(set(bot_scopes))
    assert "user" not in manifest["oauth_config"]["scopes"]
    bot_events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(bot_events) == sorted(BOT_EVENTS) == sorted(events_listened())


def test_oauth_installs_request_the_same_scopes():
    from bot.slack.oauth import SCOPES
    assert tuple(SCOPES) == BOT_SCOPES


def test_manifest_is_valid_against_slacks_schema(manifest):
    schema = json.loads((FIXTURES / "manifest.schema.json").read_text())
    jsonschema.validate(manifest, schema)


def test_manifest_names_match_the_listeners(manifest):
    features = manifest["features"]
    assert [s["callback_id"] for s in features["shortcuts"]] == [shortcut.CALLBACK_ID]
    assert features["shortcuts"][0]["type"] == "message"
    step = manifest["functions"][workflow.CALLBACK_ID]
    assert list(step["input_parameters"]) == [workflow.INPUT]
    assert set(step["output_parameters"]) == {"owner_role", "answer", "owner_user", "owner_usergroup",
                                              "owner_channel"}
    assert re.findall(r'outputs\["(\w+)"\]', (ROOT / "bot/slack/listeners/workflow.py").read_text()) \
        == ["owner_user", "owner_usergroup", "owner_channel"]
    assert manifest["settings"]["function_runtime"] == "remote" and manifest["settings"]["org_deploy_enabled"]
    assert features["agent_view"]["agent_description"] and features["app_home"]["messages_tab_enabled"]
    assert [c["command"] for c in features["slash_commands"]] == ["/mlrole"]
