"""`mlrole kb init DIR`: a copy of the bundled knowledge base to customise, plus an example org overlay."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bot.settings import knowledge_path

ORG_EXAMPLE = """\
# Your organisation's people, added to answers as "In this workspace: …".
# Point MLROLE_ORG at this file. Keys are role IDs (`mlrole kb dump` lists them).
#   group:   a user group ID (S…)
#   channel: a channel ID (C…), or a name IN QUOTES: "#ml-eng" (unquoted, # starts a YAML comment)
#   people:  member IDs (U…, "Copy member ID" in a Slack profile)
# Delete the roles you do not use; an empty file is fine.

{first}:
  channel: "#ml-eng"
  people: [U0000000001]
# {second}:
#   group: S0000000001
"""


def run_kb_init(directory: str, source: str | None = None) -> int:
    target = Path(directory).expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        print(f"mlrole kb init: {target} already exists and is not an empty folder: choose a new one",
              file=sys.stderr)
        return 1
    bundled = knowledge_path(source)
    from bot.knowledge import check_knowledge

    kb, problems = check_knowledge(bundled)
    if kb is None:
        print(f"mlrole kb init: the knowledge base to copy ({bundled}) has {len(problems)} problem(s): "
              f"{problems[0]}", file=sys.stderr)
        return 1
    knowledge = target / "knowledge"
    shutil.copytree(bundled, knowledge, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    roles = sorted(kb.roles) or ["ml-engineer"]
    (target / "org.yaml").write_text(ORG_EXAMPLE.format(first=roles[0], second=roles[-1]), encoding="utf-8")
    print(f"Created {knowledge} ({len(kb)} entries) and {target / 'org.yaml'}. Next:\n"
          f"  export MLROLE_KNOWLEDGE={knowledge.resolve()}\n"
          f"  export MLROLE_ORG={(target / 'org.yaml').resolve()}\n"
          f"  mlrole kb validate        # after each edit\n"
          f"  mlrole ask \"who owns model deployment?\"")
    return 0
