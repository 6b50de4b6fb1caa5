"""The ``aieng`` command.

aieng serve [--port P]        run the course model (OpenAI-compatible) here
aieng course                  run the ladder offline, autograde, certify
aieng check ASSIGNMENT [NB]   a learner's self-check
aieng grade ASSIGNMENT        the instructor's batch grading
aieng progress                certification per learner and phase
aieng bench                   print the course's benchmark figures
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _serve(args: argparse.Namespace) -> int:
    from aieng.llm.course_model.server import serve

    serve(
        host=args.host,
        port=args.port,
        faults=args.faults,
        hardened=args.hardened,
        seed=args.seed,
        idle_timeout=args.idle_timeout,
    )
    return 0


def _chat(args: argparse.Namespace) -> int:
    from aieng.chat.service import serve_chat

    serve_chat(host=args.host, port=args.port, database=args.db, model=args.model)
    return 0


def _course(args: argparse.Namespace) -> int:
    from aieng.grading.course import run_course

    return run_course()


def _grading_command(run):
    """Run a grading command; a ``UserError`` becomes a message and exit status 2."""
    from aieng.errors import UserError

    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except UserError as error:
            print(f"aieng {args.command}: {error}", file=sys.stderr)
            return 2

    return wrapped


def _check(args: argparse.Namespace) -> int:
    from aieng.grading import check

    return 0 if check(args.assignment, args.notebook).ok else 1


def _grade(args: argparse.Namespace) -> int:
    from aieng.grading import grade
    from aieng.grading.pipeline import outcome_table

    outcomes = grade(args.assignment, args.submissions, workers=args.workers)
    print(outcome_table(outcomes) if outcomes else "no submissions found")
    return 0


def _progress(args: argparse.Namespace) -> int:
    from aieng.grading import progress

    print(progress(csv_path=args.csv, html_path=args.html))
    return 0


def _release(args: argparse.Namespace) -> int:
    from aieng.grading import release_labs

    for folder in release_labs(args.assignments or None):
        print(f"released {folder}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aieng", description="The AI Engineer Roadmap course.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the offline course model (OpenAI-compatible)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument(
        "--faults", help='fault injection, e.g. "rate_limit=0.2,server_error=0.05,latency_ms=50"'
    )
    serve.add_argument(
        "--hardened",
        action="store_true",
        help="ignore instructions found in data (injection defense)",
    )
    serve.add_argument("--seed", type=int, default=0, help="seed of sampling variation")
    serve.add_argument(
        "--idle-timeout", type=float, default=None, help="stop after this many idle seconds"
    )
    serve.set_defaults(run=_serve)

    chat = sub.add_parser("chat", help="serve the streaming chat service and its web page")
    chat.add_argument("--host", default="127.0.0.1")
    chat.add_argument("--port", type=int, default=8000)
    chat.add_argument("--db", help="the conversations file (default: chat.sqlite3 in .aieng/)")
    chat.add_argument("--model", help="the chat model (default: the provider's chat-small)")
    chat.set_defaults(run=_chat)

    course = sub.add_parser("course", help="run every lab offline, autograde it, certify")
    course.set_defaults(run=_course)

    check = sub.add_parser("check", help="run a lab's visible tests on your notebook")
    check.add_argument("assignment", help="e.g. p1-chat-api")
    check.add_argument("notebook", nargs="?", help="default: labs/<assignment>/<assignment>.ipynb")
    check.set_defaults(run=_grading_command(_check))

    grade = sub.add_parser("grade", help="autograde a folder of submissions (instructor)")
    grade.add_argument("assignment", help="e.g. p1-chat-api")
    grade.add_argument(
        "--submissions",
        type=Path,
        help="learner folders, <learner>.ipynb or <learner>.zip (default: .grading/submitted)",
    )
    grade.add_argument("--workers", type=int, default=1, help="parallel autograde processes")
    grade.set_defaults(run=_grading_command(_grade))

    progress = sub.add_parser("progress", help="certification per learner and phase")
    progress.add_argument("--csv", type=Path, help="default: .grading/reports/progress.csv")
    progress.add_argument("--html", type=Path, help="default: .grading/reports/progress.html")
    progress.set_defaults(run=_grading_command(_progress))

    release = sub.add_parser("release", help="regenerate labs/ from solutions/ (instructor)")
    release.add_argument("assignments", nargs="*", help="default: every assignment present")
    release.set_defaults(run=_grading_command(_release))

    bench = sub.add_parser("bench", help="print the benchmark figures")
    bench.add_argument("--quick", action="store_true", help="fewer requests, for a smoke run")
    bench.set_defaults(run=lambda a: _run_bench(a))
    return parser


def _run_bench(args: argparse.Namespace) -> int:
    from aieng.bench import run_all

    return run_all(quick=args.quick)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
