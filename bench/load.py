"""Load generator for the benchmarks: drives one URL on loopback and prints one JSON object.

Run it as a separate process (`python bench/load.py --url http://127.0.0.1:PORT/path`) so
that the client's own CPU work never shares an interpreter, or a GIL, with the script that
orchestrates the run. It uses `wrk` when that is on PATH, because a C client costs the shared
CPUs far less than Python and so disturbs the server least; otherwise it falls back to threads
with persistent `http.client` connections. Both stop by themselves: after the warm-up and the
measured window, and the Python one also after `--max-requests` responses.

Only loopback addresses are accepted: this tool is for measuring our own server on our own
machine, never for sending load anywhere else.

Output (stdout, one JSON object; diagnostics go to stderr):
    generator, url, concurrency, seconds, requests, errors, error_kinds,
    requests_per_second, p50_ms, p95_ms, p99_ms, client_cpu_per_second
`requests` counts every HTTP response completed inside the measured window, whatever its
status; `errors` counts responses other than 200 plus exceptions (refused, reset, timeout).
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

# Each response must arrive within this, so that a stuck server cannot stall the run.
REQUEST_TIMEOUT_SECONDS = 10.0
# A request that failed outright is retried after this pause, so that a refused connection
# does not turn into a busy loop that starves the server of CPU.
ERROR_BACKOFF_SECONDS = 0.01
DEFAULT_MAX_REQUESTS = 2_000_000
JSON_MARKER = "CUNBAN_BENCH_JSON "


@dataclass
class LoadResult:
    """What one measured window produced; the orchestrator turns it into figures."""

    generator: str
    url: str
    concurrency: int
    seconds: float
    requests: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    requests_per_second: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    # CPU seconds the client itself used per wall second: near 1.0 for the Python client
    # means it was saturating one core and the server may be faster than the figures say.
    client_cpu_per_second: float | None = None


def log(message: str) -> None:
    """Diagnostics go to stderr so that stdout stays one parseable JSON object."""
    print(f"load: {message}", file=sys.stderr, flush=True)


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile: a value that was actually observed, no interpolation."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def check_loopback(url: str) -> tuple[str, int, str]:
    """Split an http URL into host, port and path, refusing anything but loopback."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"only http:// URLs are supported, not {url!r}")
    host = parts.hostname
    if host != "localhost":
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"{host!r} is not a loopback address") from None
        if not address.is_loopback:
            raise ValueError(f"{host!r} is not a loopback address: load stays on this machine")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return host, parts.port or 80, path


# --- the pure-Python client ------------------------------------------------------------


@dataclass
class _ThreadTally:
    """One thread's observations, merged only after the threads have stopped (no locks)."""

    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def _client_thread(
    host: str,
    port: int,
    path: str,
    measure_from: float,
    stop_at: float,
    max_requests: int,
    tally: _ThreadTally,
    cookie: str = "",
) -> None:
    """Send GETs back to back on one connection until `stop_at` or `max_requests`.

    `http.client` reopens the connection by itself whenever the server closes it, which
    gunicorn's sync workers do after every response, so this is also fair to such servers.
    Only responses that complete inside [measure_from, stop_at] are recorded.
    """
    headers = {
        "Host": f"{host}:{port}",
        "User-Agent": "cunban-bench/1",
        "Accept": "text/html,*/*;q=0.8",
    }
    if cookie:
        headers["Cookie"] = cookie
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_SECONDS)
    sent = 0
    try:
        while sent < max_requests and time.monotonic() < stop_at:
            sent += 1
            started = time.perf_counter()
            failure: str | None
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                failure = None if response.status == 200 else f"http_{response.status}"
                answered = True
            except (OSError, http.client.HTTPException) as exc:
                failure = type(exc).__name__
                answered = False
                conn.close()
            elapsed = time.perf_counter() - started
            finished = time.monotonic()
            if measure_from <= finished <= stop_at:
                if answered:
                    tally.latencies.append(elapsed)
                if failure:
                    tally.errors[failure] += 1
            if not answered:
                time.sleep(ERROR_BACKOFF_SECONDS)
    finally:
        conn.close()


def run_python(
    url: str, seconds: float, warmup: float, concurrency: int, max_requests: int, cookie: str = ""
) -> LoadResult:
    """Drive `url` with `concurrency` threads; measure only after `warmup` seconds."""
    host, port, path = check_loopback(url)
    start = time.monotonic()
    measure_from = start + warmup
    stop_at = measure_from + seconds
    per_thread = max(1, max_requests // concurrency)
    tallies = [_ThreadTally() for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=_client_thread,
            args=(host, port, path, measure_from, stop_at, per_thread, tally, cookie),
            name=f"load-{index}",
            daemon=True,
        )
        for index, tally in enumerate(tallies)
    ]
    for thread in threads:
        thread.start()
    # CPU is read around the measured window only, so warm-up work does not count.
    time.sleep(max(0.0, measure_from - time.monotonic()))
    cpu_before = time.process_time()
    time.sleep(max(0.0, stop_at - time.monotonic()))
    cpu_used = time.process_time() - cpu_before
    for thread in threads:
        # In-flight requests finish within the request timeout; wait no longer than that.
        thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)

    latencies = sorted(value for tally in tallies for value in tally.latencies)
    errors: Counter[str] = Counter()
    for tally in tallies:
        errors.update(tally.errors)
    p50 = percentile(latencies, 50)
    p95 = percentile(latencies, 95)
    p99 = percentile(latencies, 99)
    return LoadResult(
        generator="python",
        url=url,
        concurrency=concurrency,
        seconds=seconds,
        requests=len(latencies),
        errors=sum(errors.values()),
        error_kinds=dict(errors),
        requests_per_second=len(latencies) / seconds,
        p50_ms=None if p50 is None else p50 * 1000,
        p95_ms=None if p95 is None else p95 * 1000,
        p99_ms=None if p99 is None else p99 * 1000,
        client_cpu_per_second=cpu_used / seconds,
    )


# --- wrk ---------------------------------------------------------------------------------

# wrk's own summary gives 50/75/90/99th percentiles and counts only 4xx/5xx as status errors;
# this script asks it for the 95th and counts every status other than 200, like the Python
# client, so the two generators report the same things.
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  if on_setup then on_setup(thread, #threads) end
end

function init(args)
  non200 = 0
end

function response(status, headers, body)
  if status ~= (expected_status or 200) then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local non200_total = 0
  for _, thread in ipairs(threads) do
    non200_total = non200_total + thread:get("non200")
  end
  io.write(string.format(
    "%s{\"requests\": %d, \"duration_us\": %d, \"p50_us\": %.3f, \"p95_us\": %.3f, \"p99_us\": %.3f, "
    .. "\"non200\": %d, \"connect\": %d, \"read\": %d, \"write\": %d, \"timeout\": %d}\n",
    "__MARKER__", summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), non200_total, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
"""


def _wrk_command(
    wrk: str, url: str, seconds: float, concurrency: int, script: Path, cookie: str = ""
) -> list[str]:
    threads = max(1, min(concurrency, os.cpu_count() or 1))
    return [
        wrk,
        f"--threads={threads}",
        f"--connections={concurrency}",
        f"--duration={max(1, math.ceil(seconds))}s",
        f"--timeout={math.ceil(REQUEST_TIMEOUT_SECONDS)}s",
        f"--script={script}",
        *(["--header", f"Cookie: {cookie}"] if cookie else []),
        url,
    ]


def run_wrk(
    wrk: str,
    url: str,
    seconds: float,
    warmup: float,
    concurrency: int,
    cookie: str = "",
    extra_lua: str = "",
) -> LoadResult:
    """Drive `url` with wrk: a throwaway warm-up run, then the measured run.

    `extra_lua` goes before the report script, e.g. `wrk.method = "POST"` and a body.
    """
    check_loopback(url)
    with tempfile.TemporaryDirectory(prefix="cunban-wrk-") as tmp:
        script = Path(tmp) / "report.lua"
        script.write_text(extra_lua + WRK_SCRIPT.replace("__MARKER__", JSON_MARKER), encoding="utf-8")
        limit = seconds + warmup + 2 * REQUEST_TIMEOUT_SECONDS + 30
        if warmup > 0:
            subprocess.run(
                _wrk_command(wrk, url, warmup, concurrency, script, cookie),
                check=True,
                capture_output=True,
                timeout=limit,
            )
        done = subprocess.run(
            _wrk_command(wrk, url, seconds, concurrency, script, cookie),
            check=True,
            capture_output=True,
            text=True,
            timeout=limit,
        )
    report = next(
        (line[len(JSON_MARKER) :] for line in done.stdout.splitlines() if line.startswith(JSON_MARKER)),
        None,
    )
    if report is None:
        raise RuntimeError(f"wrk printed no report:\n{done.stdout}\n{done.stderr}")
    data = json.loads(report)
    duration = data["duration_us"] / 1_000_000 or seconds
    kinds = {
        "non_200": data["non200"],
        "connect": data["connect"],
        "read": data["read"],
        "write": data["write"],
        "timeout": data["timeout"],
    }
    kinds = {kind: count for kind, count in kinds.items() if count}
    return LoadResult(
        generator="wrk",
        url=url,
        concurrency=concurrency,
        seconds=duration,
        requests=data["requests"],
        errors=sum(kinds.values()),
        error_kinds=kinds,
        requests_per_second=data["requests"] / duration,
        p50_ms=data["p50_us"] / 1000 if data["requests"] else None,
        p95_ms=data["p95_us"] / 1000 if data["requests"] else None,
        p99_ms=data["p99_us"] / 1000 if data["requests"] else None,
    )


def run_load(
    url: str,
    *,
    seconds: float,
    warmup: float,
    concurrency: int,
    generator: str = "auto",
    max_requests: int = DEFAULT_MAX_REQUESTS,
    cookie: str = "",
) -> LoadResult:
    """Pick the generator (`auto` prefers wrk) and run it."""
    wrk = shutil.which("wrk") if generator in {"auto", "wrk"} else None
    if generator == "wrk" and wrk is None:
        raise RuntimeError("--generator=wrk but wrk is not on PATH (Debian package: wrk)")
    if wrk:
        return run_wrk(wrk, url, seconds, warmup, concurrency, cookie)
    return run_python(url, seconds, warmup, concurrency, max_requests, cookie)


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    """Command line: one URL, one measured window, one JSON object on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="http://127.0.0.1:PORT/path (loopback only)")
    parser.add_argument("--seconds", type=positive_float, default=10.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first")
    parser.add_argument("--concurrency", type=positive_int, default=8, help="connections")
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--max-requests", type=positive_int, default=DEFAULT_MAX_REQUESTS)
    parser.add_argument("--cookie", default="", help="a Cookie header to send, e.g. cunban_village=…")
    args = parser.parse_args(argv)
    try:
        check_loopback(args.url)
    except ValueError as exc:
        parser.error(str(exc))
    result = run_load(
        args.url,
        seconds=args.seconds,
        warmup=max(0.0, args.warmup),
        concurrency=args.concurrency,
        generator=args.generator,
        max_requests=args.max_requests,
        cookie=args.cookie,
    )
    cpu = (
        "" if result.client_cpu_per_second is None else f", client CPU {result.client_cpu_per_second:.2f} s/s"
    )
    log(
        f"{result.generator}: {result.url} {result.requests} responses in {result.seconds:.1f} s, "
        f"{result.errors} errors {result.error_kinds or ''}{cpu}"
    )
    print(json.dumps(asdict(result)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
