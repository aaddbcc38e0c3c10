"""Benchmark a service item page against a bare Django template page of the same size.

The item page is the guide's busiest page: a villager lands on it from search, on a cheap
phone. It runs through Wagtail's page routing and our place-aware "where you do it" card, so the
baseline is a plain Django template page of the same byte size under the same gunicorn and
middleware: `item_to_bare_template_throughput_ratio` is the share of a page's capacity the
guide keeps (target at least 0.5), whatever the machine's speed. The item is fetched with the
villager's village remembered in a cookie, the costlier and commoner case.

Figures go to stdout as `name = value unit`. Usage: .venv/bin/python bench/item_page.py [--seconds 10]
"""

from __future__ import annotations

import gzip
import json
import secrets
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# Run as a script, Python puts bench/ first on the path, where bench/approvals.py and
# bench/ledger.py would shadow the apps of those names; the repository root must come first
# instead, and bench/ not at all.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

from bench.home_page import (  # noqa: E402  (the repo root must be importable first)
    GZIP_LEVEL,
    SERVER_SETTINGS,
    BenchError,
    Figures,
    _terminate,
    drive_load,
    executable,
    finish,
    gunicorn_server,
    http_get,
    log,
    parse_args,
    prepare_site,
    project_env,
    run_step,
)

ITEM_CODE = "120115-JF-001"  # 最低生活保障审核确认, delegated to every township in the demo
VILLAGE_CODE = "120115121208"  # 西郝各庄村, whose assistant the page shows
COOKIE = f"cunban_village={VILLAGE_CODE}"


def item_path(tmp: Path, python: str) -> str:
    """Ask the demo database for the item's URL path."""
    script = (
        "import django;django.setup();"
        "from services_catalog.models import ServiceItemPage;"
        f"print(ServiceItemPage.objects.get(item_code='{ITEM_CODE}').url)"
    )
    out = run_step(
        "find the item", [python, "-c", script], project_env(tmp, SERVER_SETTINGS), timeout=120, verbose=False
    )
    return out.strip().splitlines()[-1]


def probe_queries(tmp: Path, python: str, path: str) -> dict:
    command = [python, "-m", "bench.bench_probe", path, f"--cookie={COOKIE}"]
    out = run_step(
        "count queries",
        command,
        project_env(tmp, SERVER_SETTINGS),
        timeout=300,
        verbose=False,
        allow_failure=True,
    )
    try:
        return json.loads(out.strip().splitlines()[-1]).get(path, {})
    except (IndexError, ValueError):
        return {}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-item-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    figures = Figures()
    failed = False
    try:
        prepare_site(tmp, python, args.verbose)
        path = item_path(tmp, python)
        probe = probe_queries(tmp, python, path)
        with gunicorn_server(tmp, args.workers, args.startup_timeout) as port:
            status, body = http_get(port, path, timeout=30)
            if status != 200:
                raise BenchError(f"GET {path} answered {status}")
            bare_path = f"/_bench/bare-template/{len(body)}/"
            bare_status, bare_body = http_get(port, bare_path, timeout=30)
            if bare_status != 200:
                raise BenchError(f"GET {bare_path} answered {bare_status}")
            bare = drive_load(port, bare_path, args)
            item = drive_load(port, path, args, cookie=COOKIE)
        figures.add("item_page_requests_per_second", item["requests_per_second"], "req/s")
        figures.add("bare_template_page_requests_per_second", bare["requests_per_second"], "req/s")
        ratio = (
            item["requests_per_second"] / bare["requests_per_second"] if bare["requests_per_second"] else None
        )
        figures.add("item_to_bare_template_throughput_ratio", ratio, "ratio", decimals=3)
        figures.add("item_page_p50_latency", item["p50_ms"], "ms", decimals=2)
        figures.add("item_page_p95_latency", item["p95_ms"], "ms", decimals=2)
        figures.add("item_page_errors", item["errors"], "count")
        figures.add("item_page_html_bytes", len(body), "bytes")
        figures.add("item_page_html_gzip_bytes", len(gzip.compress(body, GZIP_LEVEL, mtime=0)), "bytes")
        figures.add("bare_template_page_html_bytes", len(bare_body), "bytes")
        if probe.get("warm_status") == 200:
            figures.add("item_page_queries", probe["warm_queries"], "count")
            figures.add("item_page_cold_queries", probe["cold_queries"], "count")
        figures.add("load_generator_wrk", int(item["generator"] == "wrk"), "flag")
        failed = bool(item["errors"] or bare["errors"])
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        finish(figures, tmp, keep=args.keep_tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
