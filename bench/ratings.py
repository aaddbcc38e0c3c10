"""Benchmark the satisfaction figures (满意度) over many ratings, on PostgreSQL.

Why this shape: a county's supervisors and administrators open the figures page when they
like, and the public summary is a public page; both must stay quick after years of ratings.
So the benchmark builds a throwaway county (the approvals benchmark's), writes `--count`
decided applications with one rating each in bulk (every level, spread over the offices,
items, assistants and townships, a fifth of them bad, each bad one with its rectification in
one of its states), then times, in-process and warmed up:

- `ratings.figures.for_user` for the county administrator (every office, item and
  assistant) and for centre A's supervisor: median and p95 over `--repeats` runs, and queries;
- the public summary page `/satisfaction/` through Django's test client: median, queries, bytes;
- the supervisor's rectification list page: median and queries, at the full table and with a
  tenth of it, which must be the same count (no query per row).

Target (issue 7): the figures under 200 ms on PostgreSQL over 100,000 ratings. Figures go to
stdout as `name = value unit`.

Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/ratings.py
       [--count 100000] [--repeats 20]
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(REPO_ROOT))

from bench.approvals import _run_worker, throwaway_postgres  # noqa: E402
from bench.home_page import (  # noqa: E402  (the repo root must be importable first)
    PROJECT_SETTINGS,
    BenchError,
    Figures,
    _terminate,
    executable,
    finish,
    log,
    project_env,
    run_step,
)

TARGET_MS = 200.0
SHOW_SQL = False


def _timed(function, repeats: int) -> dict:
    """Median and p95 of `repeats` warm runs, and the queries of one run. Queries are counted
    with an execute wrapper: the test client's requests close the connection and empty the
    query log that CaptureQueriesContext reads."""
    from django.db import connection

    function()  # warm up
    queries: list[tuple[str, float]] = []

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((sql, time.perf_counter() - started))

    with connection.execute_wrapper(count):
        result = function()
    if SHOW_SQL:
        for sql, seconds in queries:
            log(f"  {seconds * 1000:.1f} ms  {sql[:600]}")
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": times[len(times) // 2],
        "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))],
        "queries": len(queries),
        "result": result,
    }


def _bulk(county, count: int, rng) -> dict:
    """`count` decided applications with their ratings and the bad ones' rectifications."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from approvals.models import Application
    from approvals.states import State
    from ratings.models import Rating, Rectification

    world = county["world"]
    stations = {
        world.village_a1.pk: world.station_a1,
        world.village_a2.pk: world.station_a2,
        world.village_b1.pk: world.station_b1,
    }
    offices = {
        world.village_a1.pk: world.centre_a,
        world.village_a2.pk: world.centre_a,
        world.village_b1.pk: world.centre_b,
    }
    items = list(county["items"].values())
    now = timezone.now()
    levels = [5] * 40 + [4] * 25 + [3] * 15 + [2] * 12 + [1] * 8
    states = [
        Rectification.State.OPEN,
        Rectification.State.ANSWERED,
        Rectification.State.REVISITED,
        Rectification.State.CANCELLED,
    ]
    made = 0
    chunk = 5000
    while made < count:
        size = min(chunk, count - made)
        applications, picks = [], []
        for index in range(made, made + size):
            village, assistant = county["villages"][index % len(county["villages"])]
            item = items[index % len(items)]
            office = world.d1 if item is county["items"]["relief"] else offices[village.pk]
            decided = now - datetime.timedelta(minutes=index)
            applications.append(
                Application(
                    number=f"B{index:011d}",
                    item=item,
                    item_title=item.title,
                    station=stations[village.pk],
                    village=village,
                    applicant_name="村民",
                    filed_by=assistant,
                    handling_office=office,
                    current_office=office,
                    state=State.APPROVED if index % 7 else State.REJECTED,
                    decided_at=decided,
                )
            )
            picks.append((office, village, assistant, decided, rng.choice(levels)))
        with transaction.atomic():
            Application.objects.bulk_create(applications, batch_size=1000)
            ratings = [
                Rating(
                    application=application,
                    office=office,
                    item_id=application.item_id,
                    station=application.station,
                    township_id=village.parent_id,
                    assistant=assistant,
                    level=level,
                    assistant_level=rng.choice([None, 3, 4, 5, 5]),
                    channel="tracking",
                    rated_at=decided,
                    first_rated_at=decided,
                    decided_at=decided,
                )
                for application, (office, village, assistant, decided, level) in zip(
                    applications, picks, strict=True
                )
            ]
            Rating.objects.bulk_create(ratings, batch_size=1000)
            rectifications = []
            for rating in ratings:
                if rating.level > 2:
                    continue
                state = rng.choice(states)
                answered = state in (Rectification.State.ANSWERED, Rectification.State.REVISITED)
                rectifications.append(
                    Rectification(
                        rating=rating,
                        office=rating.office,
                        state=state,
                        opened_at=rating.rated_at,
                        due_on=timezone.localdate(rating.rated_at) + datetime.timedelta(days=21),
                        answered_at=rating.rated_at if answered else None,
                        answered_on_time=rng.random() < 0.8 if answered else None,
                    )
                )
            Rectification.objects.bulk_create(rectifications, batch_size=1000)
        made += size
        log(f"  {made}/{count} ratings written")
    return {"ratings": Rating.objects.count(), "rectifications": Rectification.objects.count()}


def run_worker(args: argparse.Namespace) -> int:
    import random

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    global SHOW_SQL
    SHOW_SQL = args.show_sql

    from bench.approvals import _build_county
    from ratings import figures
    from ratings.models import Rectification

    rng = random.Random(args.seed)
    county = _build_county(rng)
    world = county["world"]
    written = _bulk(county, args.count, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    report = {"vendor": connection.vendor, **written}
    admin = _timed(lambda: figures.for_user(world.county_admin), args.repeats)
    report["admin"] = {key: value for key, value in admin.items() if key != "result"}
    report["admin"]["rows"] = sum(len(table) for table in admin["result"].values())
    supervisor = _timed(lambda: figures.for_user(world.supervisor_a), args.repeats)
    report["supervisor"] = {key: value for key, value in supervisor.items() if key != "result"}

    client = Client(HTTP_HOST="localhost")
    summary = _timed(lambda: client.get("/satisfaction/"), args.repeats)
    if summary["result"].status_code != 200:
        raise BenchError(f"/satisfaction/ answered {summary['result'].status_code}")
    report["summary"] = {key: value for key, value in summary.items() if key != "result"}
    report["summary"]["bytes"] = len(summary["result"].content)

    staff = Client(HTTP_HOST="localhost")
    staff.force_login(world.supervisor_a)
    listing = _timed(lambda: staff.get("/work/rectifications/"), args.repeats)
    if listing["result"].status_code != 200:
        raise BenchError(f"/work/rectifications/ answered {listing['result'].status_code}")
    report["list_full"] = {key: value for key, value in listing.items() if key != "result"}
    keep = (
        Rectification.objects.filter(state=Rectification.State.OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    open_count = keep.count()
    cut = list(keep[: max(1, open_count // 10)])
    Rectification.objects.filter(state=Rectification.State.OPEN).exclude(pk__in=cut).update(
        state=Rectification.State.REVISITED
    )
    small = _timed(lambda: staff.get("/work/rectifications/"), args.repeats)
    report["list_small"] = {key: value for key, value in small.items() if key != "result"}
    report["open_rectifications"] = open_count
    print(json.dumps(report))
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="ratings to write (100000)")
    parser.add_argument("--repeats", type=int, default=20, help="timed runs per measurement (20)")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--verbose", action="store_true", help="show the output of every setup step")
    parser.add_argument("--show-sql", action="store_true", help="print each measured query and its time")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir afterwards")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count < 100 or args.repeats < 1:
        parser.error("--count must be at least 100 and --repeats at least 1")
    return args


def _add_figures(result: dict, figures: Figures) -> None:
    figures.add("ratings_in_tables", result["ratings"], "count")
    figures.add("rectifications_in_tables", result["rectifications"], "count")
    for key, label in (
        ("admin", "figures_county_admin"),
        ("supervisor", "figures_supervisor"),
        ("summary", "public_summary_page"),
        ("list_full", "rectification_list_page"),
    ):
        figures.add(f"{label}_median", result[key]["median_ms"], "ms", decimals=2)
        figures.add(f"{label}_p95", result[key]["p95_ms"], "ms", decimals=2)
        figures.add(f"{label}_queries", result[key]["queries"], "count")
    figures.add("figures_county_admin_rows", result["admin"]["rows"], "count")
    figures.add("public_summary_page_bytes", result["summary"]["bytes"], "bytes")
    figures.add("rectification_list_open_rows", result["open_rectifications"], "count")
    figures.add("rectification_list_tenth_queries", result["list_small"]["queries"], "count")
    for key in ("admin", "supervisor"):
        if result[key]["p95_ms"] > TARGET_MS:
            log(f"NOTE: figures for {key}: p95 {result[key]['p95_ms']:.0f} ms is above {TARGET_MS:.0f} ms")
    if result["list_small"]["queries"] != result["list_full"]["queries"]:
        log("NOTE: the rectification list's query count grows with its rows")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-ratings-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    figures = Figures()
    failed = False
    try:
        with throwaway_postgres("ratings") as url:
            env = {**project_env(tmp, PROJECT_SETTINGS), "DATABASE_URL": url, "DATABASE_CONN_MAX_AGE": "0"}
            manage = [python, str(REPO_ROOT / "manage.py")]
            run_step("collectstatic", [*manage, "collectstatic", "--noinput"], env, 600, args.verbose)
            run_step("postgres: migrate", [*manage, "migrate", "--noinput"], env, 900, args.verbose)
            worker = [
                python,
                str(Path(__file__).resolve()),
                "--worker",
                f"--count={args.count}",
                f"--repeats={args.repeats}",
                f"--seed={args.seed}",
                *(["--show-sql"] if args.show_sql else []),
            ]
            stdout = _run_worker(worker, env, f"postgres: {args.count} ratings and their figures")
        try:
            result = json.loads(stdout.strip().splitlines()[-1])
        except (IndexError, ValueError) as exc:
            raise BenchError("the worker printed no figures") from exc
        _add_figures(result, figures)
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        finish(figures, tmp, keep=args.keep_tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
