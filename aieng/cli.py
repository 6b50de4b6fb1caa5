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


def _course(args: argparse.Namespace) -> int:
    from aieng.grading.course import run_course

    return run_course()


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

    course = sub.add_parser("course", help="run every lab offline, autograde it, certify")
    course.set_defaults(run=_course)

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
