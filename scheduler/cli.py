"""`python -m scheduler`: solve a JSON or XHSTT file, or convert XHSTT to the JSON format.

Bad input (unknown ids, impossible slots, a malformed file...) prints one `error:` line and
exits with status 2; a traceback would mean a bug in this package.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from .domain import ProblemError
from .jsonio import Request, dump_json, load_request
from .parameters import Parameters
from .solver import Result, solve
from .xhstt import load_xhstt

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m scheduler", description="Co-teaching and team-meeting solver."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    solve_cmd = commands.add_parser("solve", help="solve a JSON or XHSTT file")
    solve_cmd.add_argument("file", type=Path, help="a .json (package format) or .xml (XHSTT)")
    solve_cmd.add_argument("--time-limit", type=float, metavar="S", help="seconds (default 10)")
    solve_cmd.add_argument("--workers", type=int, metavar="N", help="CP-SAT workers (default 2)")
    solve_cmd.add_argument("--seed", type=int, metavar="K", help="random seed (default 0)")
    solve_cmd.add_argument(
        "--deterministic",
        action="store_true",
        default=None,
        help="measure the limit in CP-SAT's work units, not seconds: the same plan every time",
    )
    solve_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    _xhstt_options(solve_cmd)
    solve_cmd.set_defaults(run=_solve)

    convert_cmd = commands.add_parser("convert", help="write an XHSTT file as package JSON")
    convert_cmd.add_argument("file", type=Path)
    convert_cmd.add_argument("--out", type=Path, help="output file (default: stdout)")
    _xhstt_options(convert_cmd)
    convert_cmd.set_defaults(run=_convert)
    return parser


def _xhstt_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("XHSTT input")
    group.add_argument("--solution-index", type=int, default=0, metavar="I")
    group.add_argument("--overlay", type=Path, metavar="CSV", help="professions, needs, teams")
    group.add_argument("--defaults-seed", type=int, default=0, metavar="K")


def _read(args: argparse.Namespace) -> Request:
    path: Path = args.file
    if not path.is_file():
        raise ProblemError(f"{path}: no such file")
    if _is_xml(path):
        return Request(load_xhstt(path, args.solution_index, args.overlay, seed=args.defaults_seed))
    return load_request(path)


def _is_xml(path: Path) -> bool:
    if path.suffix.lower() in (".xml", ".xhstt"):
        return True
    if path.suffix.lower() == ".json":
        return False
    with path.open("rb") as handle:
        return handle.read(256).lstrip().startswith(b"<")


def _solve(args: argparse.Namespace) -> int:
    request = _read(args)
    params = request.parameters or Parameters()
    overrides = {
        name: value
        for name, value in (
            ("time_limit_seconds", args.time_limit),
            ("workers", args.workers),
            ("seed", args.seed),
            ("deterministic", args.deterministic),
        )
        if value is not None
    }
    params = replace(params, **overrides)
    result = solve(request.problem, params, previous=request.previous)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(report(result))
    return 0


def _convert(args: argparse.Namespace) -> int:
    request = _read(args)
    text = dump_json(request.problem)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def report(result: Result) -> str:
    """The readable report the command line prints without --json."""
    problem = result.problem
    lines = [
        f"Co-teaching plan for {problem.name or 'the school'}"
        f" ({len(problem.teachers)} staff, {len(problem.lessons)} lessons)",
        f"Status: {result.status} ({result.source})  objective {result.objective}"
        f"  bound {_number(result.bound)}  gap {_percent(result.gap)}"
        f"  residual {_percent(result.residual)}  greedy {result.greedy_objective}",
        f"First solution {_number(result.first_solution_seconds)} s,"
        f" wall {result.wall_seconds:.2f} s",
    ]
    if result.solution is not None:
        coverage = result.coverage
        lines.append(
            f"Coverage: {coverage['covered']} of {coverage['staff']} staff in a pair"
            f" ({100 * coverage['share']:.1f} %)"
        )
    if result.conflicts:
        lines += ["", "The request cannot be met; these requirements conflict:"]
        lines += [f"  - [{c.code}] {c.message}" for c in result.conflicts]
    if result.proposals:
        lines += ["", f"Pairs ({len(result.proposals)}):"]
        for proposal in result.proposals:
            a, b = proposal.teachers
            lines.append(f"  {a} + {b}: {proposal.hours} h, {proposal.points:+.1f} points")
            for lesson in proposal.lessons:
                lines.append(
                    f"    {lesson.lesson:<16} {','.join(lesson.groups):<10}"
                    f" {' '.join(lesson.slots):<14} {lesson.coteacher} joins {lesson.teacher}"
                )
            lines.append(f"    why: {proposal.message}")
    if result.meetings:
        lines += ["", "Team meetings:"]
        lines += [f"  {m.team:<12} {' '.join(m.slots)}" for m in result.meetings]
    if result.unmet_wishes:
        lines += ["", "Unmet wishes:"]
        lines += [
            f"  {w.teacher} -> {w.wished}: [{w.reason.code}] {w.reason.message}"
            for w in result.unmet_wishes
        ]
    if result.score is not None:
        lines += ["", "Score:"]
        lines += [
            f"  {t.name:<16} {t.value:>8.1f} x {t.weight:<3} = {t.points:+9.1f}"
            for t in result.score.terms.values()
        ]
    if result.violations:  # pragma: no cover - would be a bug; shown rather than hidden
        lines += ["", "VALIDATION FAILED:"] + [f"  {v.message}" for v in result.violations]
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f} %"
