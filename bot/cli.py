"""`mlrole`: the command-line adapter on the core. Slack code is imported only by `serve`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from bot.answers import Answerer
from bot.knowledge import KnowledgeError, check_knowledge
from bot.live import load_answerer
from bot.org import check_org
from bot.settings import Settings, knowledge_path
from bot.terminal import printable


def _answerer(args: argparse.Namespace) -> Answerer:
    """The knowledge base, with the org overlay of MLROLE_ORG when it is set and valid.

    A broken org file is reported (naming it) but does not stop the command: answers then name
    roles without the company's people."""
    org_file = Settings.from_env().org_file
    answerer, problems = load_answerer(knowledge_path(args.knowledge), org_file)
    if answerer is None and org_file:
        plain, kb_problems = load_answerer(knowledge_path(args.knowledge), None)
        if plain is not None:
            print(f"mlrole: the org file {org_file} (MLROLE_ORG) has {len(problems)} problem(s); answering "
                  "without it:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return plain
        problems = kb_problems
    if answerer is None:
        raise KnowledgeError(problems)
    return answerer


def _live_people(answerer: Answerer) -> str | None:
    """Resolve the overlay's groups and people in Slack into the answerer; an error line or None."""
    from bot.slack.people import DirectoryUnavailable, resolve_once

    try:
        answerer.people.directory = resolve_once(Settings.from_env(), answerer.org)
    except DirectoryUnavailable as e:
        return f"mlrole: could not ask Slack for the org overlay's people: {e.error}"
    return None


def cmd_ask(args: argparse.Namespace) -> int:
    answerer = _answerer(args)
    if getattr(args, "live", False) and answerer.org and (error := _live_people(answerer)):
        print(error, file=sys.stderr)
        return 2
    question = " ".join(args.question)
    out = sys.stdout
    if question == "-":
        for line in sys.stdin:
            answer = answerer.ask(line.rstrip("\r\n"))
            if args.json:
                out.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
            else:
                out.write(answer.text + "\n\n")
            out.flush()
        return 0
    answer = answerer.ask(question)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        print(answer.text)
    return 0


def cmd_kb_validate(args: argparse.Namespace) -> int:
    path = knowledge_path(args.path or args.knowledge)
    org_file = Settings.from_env().org_file
    kb, problems = check_knowledge(path)
    live_note = ""
    checked = path
    if kb is not None and org_file:
        org, problems = check_org(org_file, kb.roles)
        checked = f"the org file {org_file} (MLROLE_ORG)"
        if org is not None and args.live:
            from bot.slack.people import (
                DirectoryUnavailable,
                missing_problems,
                resolve_once,
            )

            try:
                directory = resolve_once(Settings.from_env(), org)
            except DirectoryUnavailable as e:
                print(f"mlrole: could not check the org overlay in Slack: {e.error}", file=sys.stderr)
                return 2
            problems = missing_problems(org, directory)
            live_note = (f" (live: {len(directory.groups)} user group(s), {len(directory.people)} "
                         "person(s) found in Slack)")
    elif args.live:
        print("mlrole: --live checks the org overlay, but MLROLE_ORG is not set", file=sys.stderr)
        return 2
    if problems:
        for problem in problems:
            print(printable(str(problem)), file=sys.stderr)
        print(f"{len(problems)} problem(s) in {printable(str(checked))}", file=sys.stderr)
        return 1
    assert kb is not None
    print(f"{path}: OK — {len(kb.roles)} roles, {len(kb.responsibilities)} responsibilities, "
          f"{len(kb.stages)} stages, {len(kb.topics)} topics, {len(kb.comparisons)} comparisons "
          f"(version {kb.version})" + (f"; org overlay {org_file} OK{live_note}" if org_file else ""))
    return 0


def cmd_kb_export(args: argparse.Namespace) -> int:
    from bot.export_html import export_html

    answerer = _answerer(args)
    if args.live and answerer.org and (error := _live_people(answerer)):
        print(error, file=sys.stderr)
        return 2
    try:
        target = export_html(answerer.kb, args.html, answerer.org, answerer.people.directory)
    except OSError as e:
        print(f"mlrole: cannot write the page into {args.html}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"wrote {target} ({target.stat().st_size // 1024} KiB)")
    return 0


def cmd_kb_dump(args: argparse.Namespace) -> int:
    answerer = _answerer(args)
    rows = []
    for entry in answerer.kb.entries():
        answer = answerer.answer_entry(entry.kind, entry.id)
        rows.append({"kind": entry.kind, "id": entry.id, "title": entry.title,
                     "roles": list(answer.roles), "text": answer.text})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for row in rows:
            print(f"{row['kind']:<15} {row['id']:<32} {row['title']}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.slack.server import serve

    return serve(knowledge=args.knowledge)


def cmd_report(args: argparse.Namespace) -> int:
    if args.stale is not None:
        from bot.freshness import run_stale_report

        return run_stale_report(args.knowledge, args.stale, as_json=args.json)
    from bot.report import run_report

    return run_report(as_json=args.json, limit=args.limit, since=args.since, surface=args.surface)


def cmd_purge(args: argparse.Namespace) -> int:
    from bot.purge import run_purge

    return run_purge(users=args.user or [], before=args.before, yes=args.yes)


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_doctor

    return run_doctor(knowledge=args.knowledge)


def cmd_kb_init(args: argparse.Namespace) -> int:
    from bot.kb_init import run_kb_init

    return run_kb_init(args.dir, source=args.knowledge)


def cmd_kb_lessons(args: argparse.Namespace) -> int:
    from bot.lessons import run_lessons

    return run_lessons(as_json=args.json)


def cmd_kb_learn(args: argparse.Namespace) -> int:
    from bot.kb_learn import run_learn

    return run_learn(args.knowledge, do_apply=args.apply, eval_paths=args.eval)


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.bench import run_bench

    return run_bench(knowledge=args.knowledge, quick=args.quick, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    from bot.cli_options import (
        SERVE_ENVIRONMENT,
        positive_int,
        since_date,
        version_string,
    )

    parser = argparse.ArgumentParser(prog="mlrole", description="Who does what in an ML team.")
    parser.add_argument("--version", action="version", version=version_string())
    parser.add_argument("--knowledge", metavar="PATH",
                        help="knowledge base folder (default: $MLROLE_KNOWLEDGE or the bundled one)")
    sub = parser.add_subparsers(dest="command", required=True)
    # `--knowledge` also works after the command (`mlrole ask --knowledge PATH …`)
    after = argparse.ArgumentParser(add_help=False)
    after.add_argument("--knowledge", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    ask = sub.add_parser("ask", parents=[after], help="answer a question ('-' reads one question per line from stdin)")
    ask.add_argument("--json", action="store_true", help="print the JSON answer (one per line with -)")
    ask.add_argument("--live", action="store_true",
                     help="resolve the org overlay's user groups and emails in Slack (SLACK_BOT_TOKEN)")
    ask.add_argument("question", nargs="+", help="the question, or - for stdin")
    ask.set_defaults(func=cmd_ask)

    kb = sub.add_parser("kb", parents=[after], help="create, check or list a knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", metavar="{init,validate,dump}")
    kb.set_defaults(func=lambda _args: _print_help(kb))
    init = kb_sub.add_parser("init", parents=[after], help="copy the bundled knowledge base and an example "
                                                           "org.yaml into DIR, to customise")
    init.add_argument("dir", metavar="DIR", help="a new (or empty) folder")
    init.set_defaults(func=cmd_kb_init)
    validate = kb_sub.add_parser("validate", parents=[after], help="exit 1 with file:line for every problem")
    validate.add_argument("path", nargs="?", help="knowledge base folder (default: --knowledge)")
    validate.add_argument("--live", action="store_true",
                          help="also check in Slack that the org overlay's groups and people exist "
                               "(SLACK_BOT_TOKEN)")
    validate.set_defaults(func=cmd_kb_validate)
    dump = kb_sub.add_parser("dump", parents=[after], help="every entry")
    dump.add_argument("--json", action="store_true", help="print every entry with its answer as JSON")
    dump.set_defaults(func=cmd_kb_dump)
    lessons = kb_sub.add_parser("lessons", parents=[after], help="lessons curators taught in Slack, not yet learnt")
    lessons.add_argument("--json", action="store_true", help="print JSON instead of a list")
    lessons.set_defaults(func=cmd_kb_lessons)
    learn = kb_sub.add_parser("learn", parents=[after],
                              help="write pending lessons into the YAML files as examples (shows the diff)")
    learn.add_argument("--apply", action="store_true", help="write the files and mark the lessons done")
    learn.add_argument("--eval", action="append", metavar="YAML",
                       help="evaluation set to check for changed answers (default: tests/eval/*.yaml)")
    learn.set_defaults(func=cmd_kb_learn)
    export = kb_sub.add_parser("export", parents=[after], help="write the knowledge base as a web page")
    export.add_argument("--html", metavar="DIR", required=True, help="folder to write index.html into")
    export.add_argument("--live", action="store_true",
                        help="name the people of the org overlay's user groups (asks Slack: SLACK_BOT_TOKEN)")
    export.set_defaults(func=cmd_kb_export)

    serve = sub.add_parser("serve", parents=[after], help="run the Slack app",
                           formatter_class=argparse.RawDescriptionHelpFormatter, epilog=SERVE_ENVIRONMENT)
    serve.set_defaults(func=cmd_serve)

    doctor = sub.add_parser("doctor", parents=[after], help="check everything serve needs, without serving",
                            formatter_class=argparse.RawDescriptionHelpFormatter, epilog=SERVE_ENVIRONMENT)
    doctor.set_defaults(func=cmd_doctor)

    report = sub.add_parser("report", parents=[after], help="unanswered questions and feedback from storage "
                                                            "(read-only)")
    report.add_argument("--json", action="store_true", help="print JSON instead of a table")
    report.add_argument("--limit", type=positive_int, default=20, metavar="N",
                        help="rows per section (default 20)")
    report.add_argument("--since", type=since_date, metavar="DATE",
                        help="only what was stored since DATE (YYYY-MM-DD) or the last N days (Nd)")
    report.add_argument("--surface", choices=("dm", "mention", "command", "shortcut", "workflow"),
                        help="only questions asked in DMs, mentions, /mlrole, the message shortcut or the "
                             "Workflow Builder step")
    report.add_argument("--stale", type=int, nargs="?", const=180, metavar="DAYS",
                        help="entries not reviewed for DAYS (default 180) and answers 👎-ed repeatedly")
    report.set_defaults(func=cmd_report)

    purge = sub.add_parser("purge", parents=[after], help="delete stored data: a person's (erasure requests) "
                                                          "or everything older than a date")
    purge.add_argument("--user", action="append", metavar="U…",
                       help="a Slack user ID whose votes and welcomes to delete (repeatable)")
    purge.add_argument("--before", type=since_date, metavar="DATE",
                       help="delete everything stored before DATE (YYYY-MM-DD) or older than N days (Nd)")
    purge.add_argument("--yes", action="store_true", help=argparse.SUPPRESS)
    purge.set_defaults(func=cmd_purge)

    bench = sub.add_parser("bench", parents=[after], help="answer quality and speed against baselines")
    bench.add_argument("--quick", action="store_true", help="a small run, for CI")
    bench.add_argument("--json", action="store_true", help="print every figure as JSON")
    bench.set_defaults(func=cmd_bench)
    return parser


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KnowledgeError as exc:
        print(f"mlrole: the knowledge base has {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {printable(str(problem))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
