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
    """The knowledge base, with the org overlay of MLROLE_ORG when it is set."""
    answerer, problems = load_answerer(knowledge_path(args.knowledge), Settings.from_env().org_file)
    if answerer is None:
        raise KnowledgeError(problems)
    return answerer


def cmd_ask(args: argparse.Namespace) -> int:
    answerer = _answerer(args)
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
    if kb is not None and org_file:
        _, problems = check_org(org_file, kb.roles)
    if problems:
        for problem in problems:
            print(printable(str(problem)), file=sys.stderr)
        print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    assert kb is not None
    print(f"{path}: OK — {len(kb.roles)} roles, {len(kb.responsibilities)} responsibilities, "
          f"{len(kb.stages)} stages, {len(kb.topics)} topics, {len(kb.comparisons)} comparisons "
          f"(version {kb.version})" + (f"; org overlay {org_file} OK" if org_file else ""))
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
    from bot.report import run_report

    return run_report(as_json=args.json, limit=args.limit)


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.bench import run_bench

    return run_bench(knowledge=args.knowledge, quick=args.quick, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlrole", description="Who does what in an ML team.")
    parser.add_argument("--knowledge", metavar="PATH",
                        help="knowledge base folder (default: $MLROLE_KNOWLEDGE or the bundled one)")
    sub = parser.add_subparsers(dest="command", required=True)
    # `--knowledge` also works after the command (`mlrole ask --knowledge PATH …`)
    after = argparse.ArgumentParser(add_help=False)
    after.add_argument("--knowledge", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    ask = sub.add_parser("ask", parents=[after], help="answer a question ('-' reads one question per line from stdin)")
    ask.add_argument("--json", action="store_true", help="print the JSON answer")
    ask.add_argument("question", nargs="+", help="the question, or - for stdin")
    ask.set_defaults(func=cmd_ask)

    kb = sub.add_parser("kb", parents=[after], help="check or list the knowledge base")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    validate = kb_sub.add_parser("validate", parents=[after], help="exit 1 with file:line for every problem")
    validate.add_argument("path", nargs="?")
    validate.set_defaults(func=cmd_kb_validate)
    dump = kb_sub.add_parser("dump", parents=[after], help="every entry")
    dump.add_argument("--json", action="store_true")
    dump.set_defaults(func=cmd_kb_dump)

    serve = sub.add_parser("serve", parents=[after], help="run the Slack app")
    serve.set_defaults(func=cmd_serve)

    report = sub.add_parser("report", parents=[after], help="unanswered questions and feedback from storage")
    report.add_argument("--json", action="store_true")
    report.add_argument("--limit", type=int, default=20)
    report.set_defaults(func=cmd_report)

    bench = sub.add_parser("bench", parents=[after], help="answer quality and speed against baselines")
    bench.add_argument("--quick", action="store_true", help="a small run, for CI")
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(func=cmd_bench)
    return parser


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
