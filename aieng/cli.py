"""The ``aieng`` command.

aieng serve [--port P]        run the course model (OpenAI-compatible) here
aieng course                  run the ladder offline, autograde, certify
aieng check ASSIGNMENT [NB]   a learner's self-check
aieng grade ASSIGNMENT        the instructor's batch grading
aieng feedback ASSIGNMENT     feedback HTML again (--reveal-hidden once released)
aieng progress                certification per learner and phase
aieng bench                   print the course's benchmark figures
aieng contracts test NAME     run a prompt contract's regression suite and gate it
aieng contracts diff NAME V1 V2  show what changed between two contract versions
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
    from aieng.grading.layout import CourseLayout
    from aieng.grading.pipeline import outcome_summary, outcome_table
    from aieng.grading.progress import write_csv
    from aieng.grading.sandbox import describe_protection

    print(describe_protection(args.sandbox), flush=True)
    outcomes = grade(args.assignment, args.submissions, workers=args.workers, sandbox=args.sandbox)
    if not outcomes:
        print("no submissions found")
        return 0
    print(outcome_table(outcomes))
    print(outcome_summary(outcomes))
    path = CourseLayout.default().reports / f"{args.assignment}-grades.csv"
    print(f"CSV with the reasons: {write_csv(outcomes, path)}")
    print(f"feedback: .grading/feedback/<learner>/{args.assignment}/ (hidden tests redacted)")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    from aieng.grading.handback import regenerate_feedback

    written = regenerate_feedback(args.assignment, reveal_hidden=args.reveal_hidden)
    shown = "hidden tests SHOWN" if args.reveal_hidden else "hidden tests redacted"
    print(f"feedback for {len(written)} learner(s), {shown}:")
    for path in written:
        print(f"  {path}")
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


def _contracts_test(args: argparse.Namespace) -> int:
    from aieng.contracts import gate, load_cases, load_contract, load_spec, run_suite
    from aieng.errors import AiengError, UserError
    from aieng.llm import client
    from aieng.settings import repo_root

    if not 0.0 <= args.threshold <= 1.0:
        raise UserError(f"--threshold is a share in [0, 1], not {args.threshold}")
    contract = load_contract(args.dir, args.name, args.version)
    golden = repo_root() / "datasets" / "contracts" / args.name
    cases = load_cases(args.cases or golden / "cases.jsonl", split=args.split)
    spec = load_spec(args.spec or golden / "spec.json")
    if not cases:
        print(f"aieng contracts: no {args.split} cases to run", file=sys.stderr)
        return 2
    try:
        report = run_suite(contract, cases, spec, client=client())
    except AiengError as error:  # a provider failure stops the run: say so, no traceback
        print(f"aieng contracts: the suite could not run: {error}", file=sys.stderr)
        return 2
    result = gate(report, args.threshold, metric=args.metric)
    print(f"{contract.name}@{contract.version} on {len(cases)} {args.split} cases")
    print(report.table())
    for row in report.rows:
        if not row.passed:
            failing = [f for f, score in row.scores.items() if score < 1.0]
            print(f"  failed {row.id} ({row.kind}): {row.error or ', '.join(failing)}")
    print(result.message)
    return 0 if result.passed else 1


def _contracts_diff(args: argparse.Namespace) -> int:
    from aieng.contracts import diff_contracts, load_contract

    old = load_contract(args.dir, args.name, args.old)
    new = load_contract(args.dir, args.name, args.new)
    print(diff_contracts(old, new) or f"{args.name}: {args.old} and {args.new} are identical")
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
        help="a folder of learner folders, .ipynb or .zip files (LMS names understood), or the "
        "LMS's zip of all submissions (default: .grading/submitted)",
    )
    grade.add_argument("--workers", type=int, default=1, help="parallel autograde processes")
    grade.add_argument(
        "--sandbox",
        choices=["auto", "bwrap", "none"],
        default="auto",
        help="cage learner code with bubblewrap (auto: where usable) or process limits only",
    )
    grade.set_defaults(run=_grading_command(_grade))

    feedback = sub.add_parser("feedback", help="make the feedback HTML again (instructor)")
    feedback.add_argument("assignment", help="e.g. p1-chat-api")
    feedback.add_argument(
        "--reveal-hidden", action="store_true", help="show the hidden tests (once released)"
    )
    feedback.set_defaults(run=_grading_command(_feedback))

    progress = sub.add_parser("progress", help="certification per learner and phase")
    progress.add_argument("--csv", type=Path, help="default: .grading/reports/progress.csv")
    progress.add_argument("--html", type=Path, help="default: .grading/reports/progress.html")
    progress.set_defaults(run=_grading_command(_progress))

    release = sub.add_parser("release", help="regenerate labs/ from solutions/ (instructor)")
    release.add_argument("assignments", nargs="*", help="default: every assignment present")
    release.set_defaults(run=_grading_command(_release))

    contracts = sub.add_parser("contracts", help="prompt contracts: regression suites, diffs")
    contracts_sub = contracts.add_subparsers(dest="action", required=True)
    contracts_test = contracts_sub.add_parser(
        "test", help="run a contract's golden cases and gate the result"
    )
    contracts_test.add_argument("name", help="the contract's name, e.g. invoice-fields")
    contracts_test.add_argument("--version", help="default: the latest saved version")
    contracts_test.add_argument(
        "--dir", type=Path, default=Path("contracts"), help="saved contracts (default: ./contracts)"
    )
    contracts_test.add_argument(
        "--cases", type=Path, help="default: datasets/contracts/NAME/cases.jsonl"
    )
    contracts_test.add_argument(
        "--spec", type=Path, help="default: datasets/contracts/NAME/spec.json"
    )
    contracts_test.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    contracts_test.add_argument(
        "--threshold", type=float, default=0.8, help="gate: the lowest passing value (0.8)"
    )
    contracts_test.add_argument(
        "--metric", choices=("pass_rate", "field_accuracy"), default="pass_rate"
    )
    contracts_test.set_defaults(run=_grading_command(_contracts_test))
    contracts_diff = contracts_sub.add_parser("diff", help="diff two saved versions")
    contracts_diff.add_argument("name")
    contracts_diff.add_argument("old", help="the older version, e.g. 1.0.0")
    contracts_diff.add_argument("new", help="the newer version, e.g. 1.1.0")
    contracts_diff.add_argument("--dir", type=Path, default=Path("contracts"))
    contracts_diff.set_defaults(run=_grading_command(_contracts_diff))

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
