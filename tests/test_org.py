"""The organisation overlay: contacts per role, validated with file:line messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.org import Org, OrgError, check_org, load_org, org_from_settings

ROLES = {"devops-engineer", "ml-engineer", "data-scientist"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_contacts_in_order(tmp_path: Path):
    path = write(tmp_path, """\
devops-engineer: {group: S0123ABC, channel: "#platform", people: [U01ABCDEF]}
ml-engineer:
  channel: C0456
  people: [U02, U03]
""")
    org = load_org(path, ROLES)
    assert org.contacts_for(["devops-engineer"]) == ["<!subteam^S0123ABC>", "#platform", "<@U01ABCDEF>"]
    assert org.contacts_for(["ml-engineer", "devops-engineer"]) == [
        "<#C0456>", "<@U02>", "<@U03>", "<!subteam^S0123ABC>", "#platform", "<@U01ABCDEF>"]
    assert org.contacts_for(["data-scientist"]) == []
    assert org.plain_for(["devops-engineer"]) == "@S0123ABC group, #platform, @U01ABCDEF"
    assert org.plain_for(["ml-engineer"]) == "#C0456, @U02, @U03"
    assert org.plain_for([]) == ""


def test_shared_contacts_are_listed_once(tmp_path: Path):
    path = write(tmp_path, "ml-engineer: {channel: '#ml', people: [U1A, U1A]}\n"
                           "data-scientist: {channel: '#ml', people: [U1A, U2B]}\n")
    org = load_org(path, ROLES)
    assert org.contacts_for(["ml-engineer", "data-scientist"]) == ["#ml", "<@U1A>", "<@U2B>"]


def test_empty_file_is_an_empty_overlay(tmp_path: Path):
    org, problems = check_org(write(tmp_path, "# nobody yet\n"), ROLES)
    assert problems == [] and isinstance(org, Org) and not org
    assert org.contacts_for(["ml-engineer"]) == []


def test_every_problem_with_its_line(tmp_path: Path):
    path = write(tmp_path, """\
devops-engineer: {group: S0123ABC, channel: "#platform", people: [U01ABCDEF]}
ml-enginer: {channel: C0456}
data-scientist:
  chanel: "#ds"
  people:
    - U0OK1
    - "<!channel>"
    - 42
  group: [S1]
ml-engineer: "#ml"
""")
    org, problems = check_org(path, ROLES)
    assert org is None
    text = [str(p) for p in problems]
    f = str(path)
    assert f"{f}:2: unknown role 'ml-enginer' (did you mean 'ml-engineer'?)" in text
    assert f"{f}:4: 'data-scientist': unknown key 'chanel' (did you mean 'channel'?)" in text
    assert any(t.startswith(f"{f}:7: 'data-scientist': people entry '<!channel>' is not a Slack user ID")
               for t in text)
    assert any(t.startswith(f"{f}:8: 'data-scientist': people entry 42") for t in text)
    assert any(t.startswith(f"{f}:9: 'data-scientist': group 'S1' is not a Slack user group ID") for t in text)
    assert any(t.startswith(f"{f}:10: 'ml-engineer' should be a mapping") for t in text)
    assert len(problems) == 6
    with pytest.raises(OrgError) as caught:
        load_org(path, ROLES)
    assert caught.value.problems == problems


@pytest.mark.parametrize("body, message", [
    ("ml-engineer: {group: platform-team}", "group 'platform-team' is not a Slack user group ID"),
    ("ml-engineer: {channel: 'platform'}", "channel 'platform' is neither a channel ID"),
    ("ml-engineer: {channel: '#Plat <!here>'}", "channel '#Plat <!here>' is neither"),
    ("ml-engineer: {channel: 12}", "channel should be text"),
    ("ml-engineer: {people: U01}", "people should be a list"),
    ("ml-engineer: {}", "'ml-engineer' names no group, channel or people"),
    ("ml-engineer: {people: [U01]}\nml-engineer: {people: [U02]}", "role 'ml-engineer' given twice"),
    ("- ml-engineer", "should be a mapping of role IDs to contacts, not a list"),
    ("ml-engineer: {people: [U01]", "YAML syntax error"),
])
def test_single_problems(tmp_path: Path, body: str, message: str):
    org, problems = check_org(write(tmp_path, body + "\n"), ROLES)
    assert org is None
    assert any(message in str(p) for p in problems), problems
    assert all(str(p).startswith(f"{tmp_path / 'org.yaml'}:") for p in problems)


def test_missing_file(tmp_path: Path):
    org, problems = check_org(tmp_path / "nope.yaml", ROLES)
    assert org is None
    assert str(problems[0]).startswith(f"{tmp_path / 'nope.yaml'}:1: cannot read the organisation file")


def test_from_settings_and_real_role_ids(tmp_path: Path, kb):
    assert not org_from_settings(None, ())
    role_ids = set(kb.roles)
    path = write(tmp_path, "devops-engineer: {group: S0123ABC, channel: '#platform'}\n")
    org = org_from_settings(path, role_ids)
    assert org.contacts_for(["devops-engineer"]) == ["<!subteam^S0123ABC>", "#platform"]
