"""Benchmark Cunban at province scale: 1,000,000 applications (10 million events) in 100 counties.

Why this shape: a province runs one Cunban for all its counties, so the pages people wait on
(the clerk's inbox and an application's page, the villager's tracking page, the machine
endpoints other systems poll) must stay as quick with ten years of a province's history in the
tables as on the first day, and their query count must not grow with the data. The benchmark
builds a PostgreSQL database of that size fast (bench/_province_build.py: the people and pages
one logs in as through the ORM and the services, the rest with INSERT ... SELECT), then measures
each page in-process with Django's test client on a warm connection, next to the bare view
(`/_bench/bare/`, bench/bench_urls.py) in the same run: p50, p95 and queries per request.
Targets: every page under 50 ms p95 in-process, the same query count at every size.

The pages are one table, `CASES`: a name, a URL (with `{application}` and `{number}` filled in
from the data), who asks. A case whose URL this branch does not serve is printed as
"not built on this branch" and skipped.

Databases are named `cunban_province_<applications>` on DATABASE_URL's server (or the local
one). `--keep` keeps the database after the run; `--reuse` measures a kept one again without
building (a database is reused only when its build finished). Several sizes in one run
(`--applications 100000,1000000`, the default) show whether a query count grows with the data.

Figures go to stdout one per line as `name = value unit`; the summary table and everything else
to stderr.

Usage:
  .venv/bin/python bench/province.py --applications 100000,1000000 --keep    # build and measure
  .venv/bin/python bench/province.py --applications 100000,1000000 --reuse   # measure again
"""

from __future__ import annotations

import argparse
import hashlib
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# Run as a script, Python puts bench/ first on the path, where bench/approvals.py and
# bench/ledger.py would shadow the apps of those names; the repository root must come first.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(REPO_ROOT))

from bench.approvals import _percentile, _pg_server, _postgres  # noqa: E402
from bench.home_page import (  # noqa: E402  (the repo root must be importable first)
    BenchError,
    Figures,
    executable,
    finish,
    log,
    project_env,
    run_step,
)

SETTINGS = "bench.bench_settings"  # the project's settings plus /_bench/bare/
TARGET_P95_MS = 50.0


@dataclass(frozen=True)
class Case:
    """One page to measure: `path` may name `{application}` (the clerk's application's pk) and
    `{number}` (its number); `who` is "clerk" (logged in as the world's clerk_a), "tracking"
    (a browser that has proved it may track that application), "api" (a hotline client of the
    clerk's centre with every scope, by its key) or "anyone"."""

    name: str
    path: str
    who: str = "anyone"


CASES = [
    Case("bare_view", "/_bench/bare/"),
    Case("clerk_inbox", "/work/", "clerk"),
    Case("application_detail", "/work/{application}/", "clerk"),
    Case("tracking_detail", "/track/{number}/", "tracking"),
    Case("catalogue_sync", "/api/v1/catalogue/changes?since=2020-01-01T00:00:00%2B08:00"),
    Case("requests_json", "/open311/v2/requests.json", "api"),
    Case("application_status", "/api/v1/applications/{number}/status", "api"),
]


def database_name(applications: int) -> str:
    return f"cunban_province_{applications}"


def secret_key_for(name: str) -> str:
    """Every step on one database must share its keys (the residents' ID numbers are encrypted
    with them), also in a later `--reuse` run: derived from the database's name. Throwaway
    bench data only."""
    return hashlib.sha256(f"cunban-bench-province:{name}".encode()).hexdigest()


# --- the workers: inside Django, against one database --------------------------------------


def is_built(path: str) -> bool:
    """Does this branch serve `path`? Wagtail's catch-all page route does not count."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return False
    return match.url_name not in (None, "wagtail_serve") and "wagtail" not in match.func.__module__


def _subjects() -> dict[str, Any]:
    """The people and rows the cases ask as and about: clerk_a, and the application at centre A
    with the longest history (the heaviest detail and tracking pages)."""
    from django.db.models import Count

    from approvals.models import Application
    from portal.people.models import User

    clerk = User.objects.get(username="clerk_a")
    application = (
        Application.objects.filter(handling_office__memberships__user=clerk, number__isnull=False)
        .annotate(steps=Count("events"))
        .order_by("-steps", "-pk")
        .values("pk", "number", "steps", "state")
        .first()
    )
    if application is None:
        raise RuntimeError("no application at clerk_a's centre")
    return {"clerk": clerk, "application": application, "api_key": _api_key(clerk)}


def _api_key(clerk) -> str:
    """A key of a client bound to clerk_a's centre, made once per database (a kept database
    has it from the last run), with a limit the timed loop never reaches."""
    from api.keys import key_derived
    from api.models import ApiClient, ApiKey
    from api.scopes import Scope
    from api.services import api_client_save, api_key_issue

    name = "bench 12345"
    secret, prefix = key_derived(name)
    if not ApiKey.objects.filter(prefix=prefix, revoked_at__isnull=True).exists():
        office = clerk.memberships.select_related("office").first().office
        client = ApiClient.objects.filter(name=name).first() or ApiClient(
            name=name, system=name, office=office
        )
        client.scopes = [Scope.APPLICATIONS_READ_STATUS, Scope.REQUESTS_WRITE, Scope.CATALOGUE_READ]
        client.rate_limit_per_minute = 6000  # the most a client may have
        client = api_client_save(actor=None, client=client)
        api_key_issue(actor=None, client=client, derived_from=name)
    return secret


def _time_case(case: Case, subjects: dict[str, Any], repeats: int, show_sql: bool) -> dict[str, Any]:
    from contextlib import ExitStack

    from django.db import connections
    from django.test import Client

    from approvals.tracking_session import allow

    path = case.path.format(
        application=subjects["application"]["pk"], number=subjects["application"]["number"]
    )
    if not is_built(path):
        return {"path": path, "built": False}
    client = Client(HTTP_HOST="localhost")
    if case.who == "api":
        client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {subjects['api_key']}")
    elif case.who == "clerk":
        client.force_login(subjects["clerk"])
    elif case.who == "tracking":
        session = client.session
        allow(session, subjects["application"]["pk"])
        session.save()
    for _ in range(3):  # warm: Wagtail's site and content-type caches, the session row, the calendar
        response = client.get(path)
    sql: list[tuple[float, str]] = []

    def count(execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql.append(((time.perf_counter() - started) * 1000, statement))

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(count))
        response = client.get(path)
    if show_sql:
        for ms, statement in sql:
            print(f"  [{case.name}] {ms:7.2f} ms  {statement[:400]}", file=sys.stderr)
    timings, cpu = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    slowest = max(sql, default=(0.0, ""))
    return {
        "path": path,
        "built": True,
        "status": response.status_code,
        "bytes": len(response.content),
        "queries": len(sql),
        "sql_ms": sum(ms for ms, _ in sql),
        "slowest_query_ms": slowest[0],
        "slowest_query": slowest[1][:300],
        "p50": _percentile(timings, 0.5),
        "p95": _percentile(timings, 0.95),
        # This process's own CPU per request (Python, Django, templates): on a busy machine the
        # wall-clock figures include waiting for a CPU, this one much less.
        "cpu_p50": _percentile(cpu, 0.5),
    }


def run_measure(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from bench._province_build import row_counts

    subjects = _subjects()
    chosen = [case for case in CASES if not args.cases or case.name in args.cases or case.name == "bare_view"]
    results = {case.name: _time_case(case, subjects, args.repeats, args.show_sql) for case in chosen}
    print(
        json.dumps(
            {
                "rows": row_counts(),
                "application": {k: v for k, v in subjects["application"].items()},
                "cases": results,
            }
        )
    )
    return 0


def run_build(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection

    from bench._province_build import build

    with connection.cursor() as cursor:
        # Be kind to the other work on the machine: the backend doing the work is niced too.
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    for command in (["renice", "-n", "10", "-p", str(pid)], ["ionice", "-c", "3", "-p", str(pid)]):
        subprocess.run(command, capture_output=True, check=False)
    report = build(
        applications=args.applications[0],
        counties=args.counties,
        staff=args.staff,
        ledger_items=args.ledger if args.ledger is not None else args.applications[0] // 5,
        seed=args.seed,
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_province_meta (built_at timestamptz, report jsonb)")
        cursor.execute("INSERT INTO bench_province_meta VALUES (now(), %s)", [json.dumps(report)])
    print(json.dumps(report))
    return 0


# --- the orchestrator ---------------------------------------------------------------------


def _database_state(server: str, name: str) -> str:
    """ "missing", "partial" (a build that did not finish) or "built"."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", connect_timeout=5, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return "missing"
    with psycopg.connect(f"{server}/{name}", connect_timeout=5, autocommit=True) as conn:
        found = conn.execute("SELECT to_regclass('bench_province_meta')").fetchone()[0]
        return "built" if found else "partial"


TEMPLATE = "cunban_province_template"


def _create_migrated(server: str, name: str, env: dict[str, str], verbose: bool) -> None:
    """A new migrated database: a copy of a migrated template (made on first use), then
    `migrate` for whatever migrations were added since (seconds instead of minutes)."""
    manage = [executable("python"), str(REPO_ROOT / "manage.py")]
    if _database_state(server, TEMPLATE) == "missing":
        _postgres(server, f'CREATE DATABASE "{TEMPLATE}"')
        template_env = {**env, "DATABASE_URL": f"{server}/{TEMPLATE}", "DATABASE_CONN_MAX_AGE": "0"}
        run_step(f"{TEMPLATE}: migrate", [*manage, "migrate", "--noinput"], template_env, 1800, verbose)
    _postgres(server, f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    run_step(f"{name}: migrate", [*manage, "migrate", "--noinput"], env, timeout=1800, verbose=verbose)


def _database_bytes(server: str, name: str) -> int:
    import psycopg

    with psycopg.connect(f"{server}/{name}", connect_timeout=5, autocommit=True) as conn:
        return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def _worker(args: argparse.Namespace, env: dict[str, str], mode: str, applications: int) -> dict[str, Any]:
    python = executable("python")
    command = [
        python,
        str(Path(__file__).resolve()),
        f"--{mode}-worker",
        f"--applications={applications}",
        f"--counties={args.counties}",
        f"--staff={args.staff}",
        f"--seed={args.seed}",
        f"--repeats={args.repeats}",
        *([f"--ledger={args.ledger}"] if args.ledger is not None else []),
        *(["--show-sql"] if args.show_sql else []),
        *[f"--case={name}" for name in args.cases],
    ]
    if mode == "build":
        command = ["nice", "-n", "10", "ionice", "-c", "3", *command]
    log(f"{mode} {database_name(applications)} ...")
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"{mode} of {database_name(applications)} failed (exit {done.returncode})")
    log(f"{mode} {database_name(applications)} done in {time.monotonic() - started:.0f} s")
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError) as exc:
        raise BenchError(f"the {mode} worker printed no report") from exc


def _one_size(args, applications: int, tmp: Path, figures: Figures) -> dict[str, Any]:
    server = _pg_server()
    name = database_name(applications)
    (tmp / "secret_key").write_text(secret_key_for(name), encoding="ascii")
    env = project_env(tmp, SETTINGS)
    env["DATABASE_URL"] = f"{server}/{name}"
    env["DATABASE_CONN_MAX_AGE"] = "600"  # a warm connection, as a worker under load has
    prefix = f"province_{applications}"
    state = _database_state(server, name)
    if state == "built" and args.reuse:
        log(f"reusing {name}")
        # Migrations added since the build (an index, say) apply to the kept data too.
        manage = [executable("python"), str(REPO_ROOT / "manage.py")]
        run_step(
            f"{name}: migrate", [*manage, "migrate", "--noinput"], env, timeout=7200, verbose=args.verbose
        )
    else:
        if state != "missing":
            log(f"{name} exists ({state}); dropping it to build afresh")
            _postgres(server, f'DROP DATABASE "{name}" WITH (FORCE)')
        started = time.monotonic()
        _create_migrated(server, name, env, args.verbose)
        report = _worker(args, env, "build", applications)
        figures.add(f"{prefix}_build_seconds", time.monotonic() - started, "s", decimals=0)
        for step_name, seconds in report["timings"].items():
            log(f"  build step {step_name}: {seconds:.1f} s")
    figures.add(f"{prefix}_database_size", _database_bytes(server, name) / 2**30, "GiB", decimals=2)
    if not (tmp / "static").exists():  # DEBUG is off, as in production: pages need the manifest
        manage = [executable("python"), str(REPO_ROOT / "manage.py")]
        run_step(
            "collectstatic", [*manage, "collectstatic", "--noinput"], env, timeout=600, verbose=args.verbose
        )
    result = _worker(args, env, "measure", applications)
    for key, value in result["rows"].items():
        figures.add(f"{prefix}_{key}", value, "count")
    for case, measured in result["cases"].items():
        if not measured["built"]:
            log(f"{case}: {measured['path']} not built on this branch")
            continue
        figures.add(f"{prefix}_{case}_p50", measured["p50"], "ms", decimals=2)
        figures.add(f"{prefix}_{case}_p95", measured["p95"], "ms", decimals=2)
        figures.add(f"{prefix}_{case}_cpu_p50", measured["cpu_p50"], "ms", decimals=2)
        figures.add(f"{prefix}_{case}_sql", measured["sql_ms"], "ms", decimals=2)
        figures.add(f"{prefix}_{case}_queries", measured["queries"], "count")
        figures.add(f"{prefix}_{case}_status", measured["status"], "code")
    result["database"] = name
    return result


def _summary(results: dict[int, dict[str, Any]]) -> list[str]:
    """The table on stderr, and the warnings: a target missed, a query count that grows."""
    sizes = sorted(results)
    warnings = []
    header = f"{'case':<20}" + "".join(
        f" | {size:>9,} apps: p50 / p95 / cpu / sql ms, queries" for size in sizes
    )
    lines = [header, "-" * len(header)]
    for case in CASES:
        cells = []
        for size in sizes:
            measured = results[size]["cases"].get(case.name)
            if measured is None:
                cells.append(f" | {'not measured':>50}")
            elif not measured["built"]:
                cells.append(f" | {'not built on this branch':>50}")
            else:
                status = "" if measured["status"] == 200 else f" [{measured['status']}]"
                cells.append(
                    f" | {measured['p50']:>14.1f} / {measured['p95']:>6.1f} / {measured['cpu_p50']:>5.1f}"
                    f" / {measured['sql_ms']:>5.1f}, {measured['queries']:>3}{status:>8}"
                )
                if case.name != "bare_view" and measured["p95"] > TARGET_P95_MS:
                    warnings.append(
                        f"{case.name} at {size:,}: p95 {measured['p95']:.1f} ms > {TARGET_P95_MS:.0f}"
                    )
                if measured["status"] != 200:
                    warnings.append(f"{case.name} at {size:,}: answered {measured['status']}")
        lines.append(f"{case.name:<20}" + "".join(cells))
        counts = {
            results[size]["cases"][case.name]["queries"]
            for size in sizes
            if results[size]["cases"].get(case.name, {}).get("built")
        }
        if len(counts) > 1:
            warnings.append(f"{case.name}: the query count changes with the data ({sorted(counts)})")
    for size in sizes:
        rows = results[size]["rows"]
        lines.append(
            f"{size:,}: {rows['applications']:,} applications, {rows['events']:,} events, "
            f"{rows['ledger_items']:,} ledger items, {rows['staff']:,} staff, {rows['counties']} counties "
            f"({results[size]['database']})"
        )
    print("\n".join(lines), file=sys.stderr, flush=True)
    return warnings


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--applications",
        default="100000,1000000",
        help="comma-separated sizes, one database each (100000,1000000)",
    )
    parser.add_argument("--counties", type=int, default=100, help="counties (100)")
    parser.add_argument("--staff", type=int, default=5000, help="staff accounts (5000)")
    parser.add_argument("--ledger", type=int, default=None, help="ledger items (a fifth of the applications)")
    parser.add_argument("--repeats", type=int, default=50, help="timed requests per page (50)")
    parser.add_argument("--case", dest="cases", action="append", default=[], help="measure only this case")
    parser.add_argument("--keep", action="store_true", help="keep the databases after the run")
    parser.add_argument(
        "--reuse", action="store_true", help="measure kept databases without building (implies --keep)"
    )
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--show-sql", action="store_true", help="print each page's queries with times")
    parser.add_argument("--verbose", action="store_true", help="show the output of the migrate step")
    parser.add_argument("--build-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.keep = args.keep or args.reuse  # a database worth reusing is worth keeping
    try:
        args.applications = [int(size.replace("_", "")) for size in str(args.applications).split(",")]
    except ValueError:
        parser.error("--applications takes numbers separated by commas")
    if any(size < 100 for size in args.applications) or args.counties < 1:
        parser.error("--applications at least 100 each, --counties at least 1")
    return args


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Build (or reuse) one database per size, measure every case, print figures and a table."""
    args = parse_args(argv)
    if args.build_worker:
        return run_build(args)
    if args.measure_worker:
        return run_measure(args)
    signal.signal(signal.SIGTERM, _terminate)
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-province-"))
    figures = Figures()
    results: dict[int, dict[str, Any]] = {}
    failed = False
    try:
        for size in args.applications:
            results[size] = _one_size(args, size, tmp, figures)
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        if not args.keep:
            server = _pg_server()
            for size in args.applications:
                try:
                    _postgres(server, f'DROP DATABASE IF EXISTS "{database_name(size)}" WITH (FORCE)')
                except Exception as exc:
                    log(f"WARNING: could not drop {database_name(size)}: {exc}")
        finish(figures, tmp, keep=False)
    if results:
        for warning in _summary(results):
            log(f"NOTE: {warning}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
