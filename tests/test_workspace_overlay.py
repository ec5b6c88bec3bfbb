"""The org overlay reaches every surface: JSON, plain text, Slack blocks, and hot reload."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.live import LiveKnowledge
from bot.slack.blocks import answer_blocks

OVERLAY = 'devops-engineer: {group: S0123ABC, channel: "#platform", people: [U01ABCDEF]}\n' \
          'ml-engineer: {channel: C0456DEF}\n'


def test_answers_name_the_company_people(kb_copy, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(OVERLAY)
    live = LiveKnowledge(kb_copy, org)
    answer = live.answerer.ask("who owns model deployment?")
    assert answer.workspace_mentions[0] == "<#C0456DEF>"
    assert "<!subteam^S0123ABC>" in answer.workspace_mentions
    assert "In this workspace:" in answer.text
    card = json.dumps(answer_blocks(answer))
    assert "<!subteam^S0123ABC>" in card and "In this workspace" in card
    assert live.answerer.ask("data labeler").workspace == ""


def test_broken_overlay_edit_keeps_last_good(kb_copy, tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(OVERLAY)
    live = LiveKnowledge(kb_copy, org)
    org.write_text("devops-enginer: {channel: C1}\n")
    assert live.reload() is False
    assert "devops-enginer" in live.status()["last_reload_error"]
    assert live.answerer.ask("devops").workspace_mentions


def test_cli_uses_mlrole_org(tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text(OVERLAY)
    env = {**os.environ, "MLROLE_ORG": str(org)}
    out = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "devops"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert json.loads(out.stdout)["workspace"].startswith("@S0123ABC group, #platform")
    org.write_text("nobody: {channel: C1}\n")
    bad = subprocess.run([sys.executable, "-m", "bot", "kb", "validate"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert bad.returncode == 1 and f"{org}:1:" in bad.stderr
