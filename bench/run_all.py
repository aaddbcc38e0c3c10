"""Run every benchmark in bench/, one after the other; exit non-zero if any of them failed.

`make bench` calls this. Benchmarks run in sequence, never together, because each one loads
the machine's CPUs and would skew the others' figures.

Which files are benchmarks (a convention, so a new benchmark needs no registration):
a `bench/*.py` file is run if its name starts with neither `_` nor `bench_`, it is not
`run_all.py` or `load.py`, and it defines a top-level `main()` and calls it under
`if __name__ == "__main__":`. Helpers are therefore named `bench_*.py` or `_*.py`.

Each benchmark's stdout (its `name = value unit` figures) passes straight through to stdout,
so the combined output stays parseable; its stderr passes through to stderr.

Usage: .venv/bin/python bench/run_all.py [--list] [NAME ...] [-- ARGS FOR EVERY BENCHMARK]
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"run_all.py", "load.py"}
# Generous: a benchmark's own limits should stop it long before this does.
TIMEOUT_SECONDS = 30 * 60


def is_benchmark(path: Path) -> bool:
    """Apply the naming convention, then check for main() and the __main__ guard."""
    if path.name in NOT_BENCHMARKS or path.name.startswith(("_", "bench_")):
        return False
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError):
        # A broken file that looks like a benchmark should fail loudly when run, not vanish.
        return True
    has_main = any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)
    has_guard = any(
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
        for node in tree.body
    )
    return has_main and has_guard


def discover() -> list[Path]:
    """Benchmarks in name order, so runs are comparable from one day to the next."""
    return sorted(path for path in BENCH_DIR.glob("*.py") if is_benchmark(path))


def run(script: Path, extra_args: Sequence[str]) -> int:
    """Run one benchmark with this interpreter; return its exit status."""
    print(f"run_all: --- {script.name} ---", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, str(script), *extra_args],
            stdin=subprocess.DEVNULL,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        print(f"run_all: {script.name} timed out after {TIMEOUT_SECONDS} s", file=sys.stderr, flush=True)
        return 124
    elapsed = time.monotonic() - started
    verdict = "ok" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
    print(f"run_all: {script.name} {verdict} in {elapsed:.0f} s", file=sys.stderr, flush=True)
    return done.returncode


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected benchmarks (all by default); 0 only if every one succeeded."""
    argv = list(sys.argv[1:] if argv is None else argv)
    extra_args: list[str] = []
    if "--" in argv:
        split = argv.index("--")
        argv, extra_args = argv[:split], argv[split + 1 :]
    parser = argparse.ArgumentParser(description="Run every benchmark in bench/.")
    parser.add_argument("names", nargs="*", help="only these benchmarks (e.g. home_page)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    scripts = discover()
    if args.list:
        for script in scripts:
            print(script.stem)
        return 0
    if args.names:
        known = {script.stem: script for script in scripts}
        unknown = [name for name in args.names if name.removesuffix(".py") not in known]
        if unknown:
            parser.error(f"unknown benchmark(s) {unknown}; known: {sorted(known)}")
        scripts = [known[name.removesuffix(".py")] for name in args.names]
    if not scripts:
        print("run_all: no benchmarks found", file=sys.stderr)
        return 1

    # In order, one at a time: a dict comprehension runs them just as a loop would.
    statuses = {script.name: run(script, extra_args) for script in scripts}
    failures = [name for name, status in statuses.items() if status != 0]
    if failures:
        print(f"run_all: {len(failures)} of {len(scripts)} failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    print(f"run_all: all {len(scripts)} benchmark(s) passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
