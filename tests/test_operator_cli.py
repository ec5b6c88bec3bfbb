"""The operator's and curator's command line: help, version, kb init, validation messages, org overlay."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.knowledge import check_knowledge

ROOT = Path(__file__).resolve().parent.parent


def mlrole(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MLROLE_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**clean, "PYTHONPATH": str(ROOT), **env})


def _parsers(parser: argparse.ArgumentParser, name: str = "mlrole"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


def test_every_option_has_help():
    missing = [f"{name} {action.dest}" for name, parser in _parsers(build_parser())
               for action in parser._actions
               if not action.help and not isinstance(action, argparse._SubParsersAction)]
    assert missing == []


def test_version():
    done = mlrole("--version")
    assert done.returncode == 0 and done.stdout.startswith("mlrole ")


def test_serve_help_lists_the_environment():
    out = mlrole("serve", "--help").stdout
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "PORT",
                 "DATABASE_URL", "MLROLE_RETENTION_DAYS", "MLROLE_KNOWLEDGE", "MLROLE_ORG",
                 "MLROLE_ONBOARDING_CHANNELS", "LOG_LEVEL"):
        assert name in out, name


def test_kb_alone_prints_its_subcommands():
    done = mlrole("kb")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "init" in done.stdout and "validate" in done.stdout and "dump" in done.stdout


def test_kb_init_then_use_it(tmp_path: Path):
    done = mlrole("kb", "init", str(tmp_path / "ours"))
    assert done.returncode == 0, done.stderr
    kb, org = tmp_path / "ours" / "knowledge", tmp_path / "ours" / "org.yaml"
    assert (kb / "roles").is_dir() and (kb / "sources.yaml").is_file() and org.is_file()
    assert f"export MLROLE_KNOWLEDGE={kb}" in done.stdout
    done = mlrole("kb", "validate", MLROLE_KNOWLEDGE=str(kb), MLROLE_ORG=str(org))
    assert done.returncode == 0, done.stderr
    assert "org overlay" in done.stdout
    again = mlrole("kb", "init", str(tmp_path / "ours"))
    assert again.returncode == 1 and "already exists and is not an empty folder" in again.stderr


def test_empty_or_comment_only_file_is_an_error(kb_copy: Path):
    (kb_copy / "topics" / "draft.yaml").write_text("# to do: write this topic\n\n")
    (kb_copy / "roles" / "blank.yaml").write_text("")
    _, problems = check_knowledge(kb_copy)
    messages = [str(p) for p in problems]
    assert "knowledge/topics/draft.yaml:1: empty (nothing but comments or blank lines): write the entry, or " \
           "delete the file" in messages
    assert any(m.startswith("knowledge/roles/blank.yaml:1: empty") for m in messages)


def test_paths_are_relative_to_the_current_folder(kb_copy: Path, monkeypatch):
    (kb_copy / "topics" / "draft.yaml").write_text("# nothing\n")
    monkeypatch.chdir(kb_copy / "topics")
    _, problems = check_knowledge(kb_copy)
    assert [p.file for p in problems] == ["draft.yaml"]
    (kb_copy.parent / "elsewhere").mkdir()
    monkeypatch.chdir(kb_copy.parent / "elsewhere")
    _, problems = check_knowledge(kb_copy)
    assert [p.file for p in problems] == [str(kb_copy / "topics" / "draft.yaml")]


def test_duplicate_alias_is_reported_on_the_newer_file_too(kb_copy: Path):
    """The loader meets data-analyst first and reports the clash on ml-engineer; when data-analyst is
    the file just edited, the curator must see the problem there as well."""
    first = kb_copy / "roles" / "data-analyst.yaml"
    second = kb_copy / "roles" / "ml-engineer.yaml"
    for path in (second, first):
        path.write_text(path.read_text().replace("aliases:\n", "aliases:\n  - data analyst person\n", 1))
    past = time.time() - 3600
    os.utime(second, (past, past))
    _, problems = check_knowledge(kb_copy)
    files = {p.file for p in problems if "data analyst person" in p.message}
    assert files == {"knowledge/roles/data-analyst.yaml", "knowledge/roles/ml-engineer.yaml"}
    os.utime(first, (past - 60, past - 60))  # the newer one is where the loader reports it anyway: once
    _, problems = check_knowledge(kb_copy)
    assert [p.file for p in problems if "data analyst person" in p.message] == ["knowledge/roles/ml-engineer.yaml"]


def test_sources_fields_are_documented():
    readme = (ROOT / "knowledge" / "README.md").read_text()
    section = readme.split("sources.yaml", 1)[1]
    for field in ("`id`", "`title`", "`file`"):
        assert field in section, field


@pytest.mark.parametrize("args", [["ask", "devops"], ["kb", "dump"]])
def test_broken_org_file_does_not_stop_ask(tmp_path: Path, args: list[str]):
    org = tmp_path / "org.yaml"
    org.write_text("ml-engineer:\n  channel: #ml-eng\n")
    done = mlrole(*args, MLROLE_ORG=str(org))
    assert done.returncode == 0 and "DevOps" in done.stdout
    assert f"mlrole: the org file {org} (MLROLE_ORG) has 1 problem(s); answering without it:" in done.stderr
    assert f"{org}:2: 'ml-engineer': channel is empty — unquoted, # starts a YAML comment" in done.stderr
    assert 'channel: "#ml-eng"' in done.stderr and "knowledge base" not in done.stderr


def test_kb_validate_names_the_org_file(tmp_path: Path):
    org = tmp_path / "org.yaml"
    org.write_text("ml-enginer:\n  channel: C0123ABC\n")
    done = mlrole("kb", "validate", MLROLE_ORG=str(org))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"1 problem(s) in the org file {org} (MLROLE_ORG)"


def test_fuzz_has_a_bounded_default_run_time():
    from bot.fuzz import DEFAULT_MINUTES

    readme = (ROOT / "README.md").read_text()
    assert 0 < DEFAULT_MINUTES <= 10 and f"{DEFAULT_MINUTES:g} minutes" in readme


def test_eval_questions_found_in_a_plain_install(tmp_path: Path):
    from bot.evaluation import default_questions_path

    installed = tmp_path / "share" / "mlrole" / "eval" / "questions.yaml"
    installed.parent.mkdir(parents=True)
    installed.write_text("[]\n")
    assert default_questions_path(checkout=tmp_path / "site-packages", prefix=str(tmp_path)) == installed
    assert default_questions_path() == ROOT / "tests" / "eval" / "questions.yaml"
    assert "tests/eval/questions.yaml" in (ROOT / "pyproject.toml").read_text()


def test_license_matches_pyproject():
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
