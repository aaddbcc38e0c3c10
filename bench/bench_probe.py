"""Count the SQL queries behind one page, in-process, with Django's test client.

Counting queries over HTTP would need DEBUG or a logging hack inside the server; in-process,
`CaptureQueriesContext` sees every query on the connection whatever DEBUG says. The
orchestrator (bench/home_page.py) runs this as a subprocess with the same environment and
database as the server it is about to start, then reads the one JSON object printed on stdout.

The page is fetched twice. The first ("cold") request pays for one-off work such as filling
Wagtail's site and content-type caches; the second ("warm") is what every request under load
costs, so it is the figure to track. Both are reported.

Exits 1 if any page did not answer 200 (the JSON is printed all the same).

Usage: DJANGO_SETTINGS_MODULE=bench.bench_settings python -m bench.bench_probe / /_bench/bare/
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any


def probe(path: str, show_sql: bool, cookie: str = "") -> dict[str, Any]:
    """Fetch `path` twice; return statuses, query counts and the warm response's size."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # The test client's default host, "testserver", is only allowed inside the test runner;
    # the server is reached as 127.0.0.1, so ask as that.
    client = Client(HTTP_HOST="127.0.0.1")
    if cookie:
        name, _, value = cookie.partition("=")
        client.cookies[name] = value
    result: dict[str, Any] = {"path": path}
    for label in ("cold", "warm"):
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
        except Exception:
            print(f"probe: GET {path} ({label}) raised:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
            result[f"{label}_status"] = None
            return result
        result[f"{label}_status"] = response.status_code
        result[f"{label}_queries"] = len(queries.captured_queries)
        if show_sql:
            print(f"probe: GET {path} ({label}): {len(queries)} queries", file=sys.stderr)
            for query in queries.captured_queries:
                print(f"  {query['time']}s  {query['sql']}", file=sys.stderr)
        if response.status_code != 200:
            print(f"probe: GET {path} ({label}) answered {response.status_code}", file=sys.stderr)
    result["bytes"] = len(response.content)
    return result


def main(argv: list[str] | None = None) -> int:
    """Probe each path given; print {"path": {...}, ...} as one JSON object."""
    parser = argparse.ArgumentParser(description="Count SQL queries per page, in-process.")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--show-sql", action="store_true", help="print every query to stderr")
    parser.add_argument("--cookie", default="", help="one cookie to send, as name=value")
    args = parser.parse_args(argv)

    import django

    django.setup()
    results = {path: probe(path, args.show_sql, args.cookie) for path in args.paths}
    print(json.dumps(results), flush=True)
    # Non-zero when a page did not answer 200, so the caller shows this process's stderr.
    return 0 if all(result.get("warm_status") == 200 for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
