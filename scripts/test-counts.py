#!/usr/bin/env python3
"""Runs one test command of a test step, shows its output, and fails the
step when the command ran no tests, fewer than the conformance vectors (or
the source) imply, or skipped more than allowed.

    scripts/test-counts.py RUNNER LABEL [options] -- COMMAND...

RUNNER names the summary to read: cargo ("test result: ok. N passed; ...
M ignored"), pytest ("N passed, M skipped in ..."), node (node --test's
"# tests N ... # skipped M"), surefire ("Tests run: N, ..., Skipped: M"), junit (the JUnit console
launcher's "[ N tests successful ]" summary).
It prints one line: "LABEL: N ran, M skipped (at least K expected)".
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
VECTORS = REPO / "tests" / "vectors"


def cargo(lines: list[str]) -> tuple[int, int] | None:
    """Every test binary's and doc-test run's result line, summed."""
    found = [
        re.search(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", line)
        for line in lines
    ]
    found = [m for m in found if m]
    if not found:
        return None
    ran = sum(int(m[1]) + int(m[2]) for m in found)
    return ran, sum(int(m[3]) for m in found)


def pytest(lines: list[str]) -> tuple[int, int] | None:
    """The last summary line: "3 failed, 120 passed, 2 skipped in 4.2s"."""
    for line in reversed(lines):
        if not re.search(r"\d+ (passed|failed|skipped|errors?)\b.* in [\d.]+s", line):
            continue
        count = {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)", line)}
        ran = sum(count.get(k, 0) for k in ("passed", "failed", "error", "errors", "xfailed", "xpassed"))
        return ran, count.get("skipped", 0)
    return None


def node(lines: list[str]) -> tuple[int, int] | None:
    """node --test's totals, from the TAP ("# tests 9") or spec ("ℹ tests 9") reporter."""
    count: dict[str, int] = {}
    for line in lines:
        m = re.match(r"^(?:#|ℹ) (tests|skipped|todo) (\d+)\s*$", line)
        if m:
            count[m[1]] = int(m[2])
    if "tests" not in count:
        return None
    skipped = count.get("skipped", 0) + count.get("todo", 0)
    return count["tests"] - skipped, skipped


def surefire(lines: list[str]) -> tuple[int, int] | None:
    """Surefire's closing "Tests run: N, Failures: F, Errors: E, Skipped: S"."""
    for line in reversed(lines):
        m = re.search(r"Tests run: (\d+), Failures: \d+, Errors: \d+, Skipped: (\d+)\s*$", line)
        if m:
            return int(m[1]) - int(m[2]), int(m[2])
    return None


def junit(lines: list[str]) -> tuple[int, int] | None:
    """The JUnit console launcher's summary box: "[ 181 tests successful ]"."""
    count: dict[str, int] = {}
    for line in lines:
        m = re.match(r"^\[\s*(\d+) tests (successful|failed|aborted|skipped|found)\s*\]", line)
        if m:
            count[m[2]] = int(m[1])
    if "found" not in count:
        return None
    ran = sum(count.get(k, 0) for k in ("successful", "failed", "aborted"))
    return ran, count.get("skipped", 0)


RUNNERS = {"cargo": cargo, "pytest": pytest, "node": node, "surefire": surefire, "junit": junit}


def vector_cases(spec: str) -> int:
    """`headers.json:build,parse`: how many cases those lists of a vectors file hold."""
    name, _, keys = spec.partition(":")
    data = json.loads((VECTORS / name).read_text())
    return sum(len(data[key]) for key in (keys or "cases").split(","))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runner", choices=sorted(RUNNERS))
    parser.add_argument("label")
    parser.add_argument(
        "--vectors",
        nargs="*",
        default=[],
        metavar="FILE:KEYS",
        help="one test per case of these lists of tests/vectors/FILE (e.g. headers.json:build,parse)",
    )
    parser.add_argument("--at-least", type=int, default=0, help="tests that must run on top of the vectors' cases")
    parser.add_argument("--max-skipped", type=int, default=None, help="fail when more tests than this were skipped")
    argv = sys.argv[1:]
    if "--" not in argv:
        parser.error("no command given (after --)")
    split = argv.index("--")
    args, command = parser.parse_args(argv[:split]), argv[split + 1 :]
    if not command:
        parser.error("no command given (after --)")

    expected = args.at_least + sum(vector_cases(spec) for spec in args.vectors)
    lines: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace") as run:
        assert run.stdout is not None
        for line in run.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line.rstrip("\n"))
    if run.returncode != 0:
        print(f"{args.label}: the test command failed (exit {run.returncode})", file=sys.stderr)
        return run.returncode

    counted = RUNNERS[args.runner](lines)
    if counted is None:
        print(f"{args.label}: no {args.runner} test summary in the output: no tests ran", file=sys.stderr)
        return 1
    ran, skipped = counted
    print(f"{args.label}: {ran} ran, {skipped} skipped (at least {expected} expected)")
    if ran == 0 or ran < expected:
        print(f"{args.label}: {ran} tests ran, fewer than the {max(expected, 1)} expected", file=sys.stderr)
        return 1
    if args.max_skipped is not None and skipped > args.max_skipped:
        print(f"{args.label}: {skipped} tests skipped, more than the {args.max_skipped} allowed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
