"""Benchmark the public home page (`/`) against a bare Django view, under real gunicorn.

Why this shape: the home page is what every resident's phone loads first, often on a slow
link and a cheap handset, and it is served by gunicorn sync workers in production. So the
benchmark builds a throwaway copy of the site (SQLite in a temp dir, migrated, demo content
loaded, static files collected, DEBUG off), serves it with the same gunicorn setup, and loads
it from a separate process on loopback. The bare view at `/_bench/bare/` runs through the same
server and middleware but does no work, so `home_to_bare_throughput_ratio` says how much of
the capacity the page itself uses, largely independent of how fast the machine is.

Figures go to stdout one per line as `name = value unit`; everything else goes to stderr.
Exits non-zero if a setup step or the server fails, or if any request errs.

Usage: .venv/bin/python bench/home_page.py [--seconds 10] [--concurrency 8] [--help]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
HOME_PATH = "/"
BARE_PATH = "/_bench/bare/"
SERVER_SETTINGS = "bench.bench_settings"
PROJECT_SETTINGS = "portal.settings"
# The level nginx and Django's GZipMiddleware use by default: what a phone would download.
GZIP_LEVEL = 6
# Issue 18: the home page must keep at least half the bare view's throughput (it answered 0.08
# before it was served from the page cache, portal/web/page_cache.py). A run below it fails.
HOME_TO_BARE_TARGET = 0.5


class BenchError(Exception):
    """A step failed in a way that makes the figures meaningless: report it and exit 1."""


def log(message: str) -> None:
    """Diagnostics go to stderr so that stdout carries figures only."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def executable(name: str) -> str:
    """Find a tool in the project's venv first, so the benchmark runs the project's versions."""
    for candidate in (REPO_ROOT / ".venv" / "bin" / name, Path(sys.executable).parent / name):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} not found in {REPO_ROOT / '.venv'} nor on PATH")
    return found


class Figures:
    """Figures in the order they were added, printed as `name = value unit` lines."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def add(self, name: str, value: float | int | None, unit: str, decimals: int = 1) -> None:
        if value is None:
            text = "nan"
        elif isinstance(value, int):
            text = str(value)
        else:
            text = f"{value:.{decimals}f}"
        self._lines.append(f"{name} = {text} {unit}")

    def print(self) -> None:
        for line in self._lines:
            print(line)
        sys.stdout.flush()


# --- environment and setup steps ---------------------------------------------------------


def _bench_keys(secret_key: str) -> dict[str, str]:
    """This run's throwaway keys: with DEBUG off the settings refuse to start without keys of
    their own. The others follow from the run's random SECRET_KEY, so that every step and the
    server of one run (each with its own `project_env`) read the same encrypted rows."""

    def part(purpose: str) -> bytes:
        return hashlib.sha256(f"{purpose}:{secret_key}".encode()).digest()

    return {
        "SECRET_KEY": secret_key,
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(part("field-encryption")).decode(),
        "ID_HASH_KEY": part("id-hash").hex(),
        "CUNBAN_CERTIFICATE_KEY": part("certificate").hex(),
    }


def project_env(tmp: Path, settings_module: str, demo: bool = False) -> dict[str, str]:
    """The environment every step and the server share: one temp database, DEBUG off.

    Variables a developer's shell may export (a PostgreSQL DATABASE_URL, DEBUG=1, gunicorn
    flags) are overridden, so that the benchmark never touches a real database and always
    measures the production code paths.
    """
    env = dict(os.environ)
    env.pop("GUNICORN_CMD_ARGS", None)
    python_path = [str(REPO_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            "PYTHONPATH": os.pathsep.join(python_path),
            # Leave no __pycache__ in directories that other people are editing.
            "PYTHONDONTWRITEBYTECODE": "1",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            **_bench_keys((tmp / "secret_key").read_text(encoding="ascii")),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CUNBAN_DEMO": "1" if demo else "0",
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            # Plain HTTP on loopback: a redirect to https would measure nothing useful.
            "SECURE_SSL_REDIRECT": "0",
        }
    )
    return env


def run_step(
    label: str,
    command: Sequence[str],
    env: dict[str, str],
    timeout: float,
    verbose: bool,
    allow_failure: bool = False,
) -> str:
    """Run one setup command quietly; on failure show its output and raise BenchError.

    With `allow_failure` a failing command only logs, and its stdout is still returned, for
    steps whose partial results are worth having.
    """
    log(f"{label} ...")
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"{label} took longer than {timeout:.0f} s") from exc
    if verbose or done.returncode != 0:
        output = (done.stdout + done.stderr).rstrip()
        lines = output.splitlines()
        if not verbose and len(lines) > 60:
            output = "\n".join(["...", *lines[-60:]])
        if output:
            print(output, file=sys.stderr, flush=True)
    if done.returncode != 0:
        if not allow_failure:
            raise BenchError(f"{label} failed (exit {done.returncode})")
        log(f"{label} failed (exit {done.returncode}); its output is above")
        return done.stdout
    log(f"{label} done in {time.monotonic() - started:.1f} s")
    return done.stdout


def prepare_site(tmp: Path, python: str, verbose: bool) -> None:
    """Migrate, load the demo content if the project has that command, collect static files."""
    env = project_env(tmp, PROJECT_SETTINGS)
    manage = [python, str(REPO_ROOT / "manage.py")]
    run_step("migrate", [*manage, "migrate", "--noinput"], env, timeout=900, verbose=verbose)
    commands = run_step("list commands", [*manage, "help", "--commands"], env, timeout=120, verbose=False)
    if "load_demo" in commands.split():
        run_step(
            "load_demo",
            [*manage, "load_demo"],
            project_env(tmp, PROJECT_SETTINGS, demo=True),
            timeout=900,
            verbose=verbose,
        )
    else:
        log("WARNING: no load_demo command yet; the home page is measured with an empty site")
    run_step("collectstatic", [*manage, "collectstatic", "--noinput"], env, timeout=600, verbose=verbose)


def count_queries(tmp: Path, python: str, show_sql: bool) -> dict[str, Any]:
    """Run bench_probe in a subprocess against the temp database; {} if it printed nothing.

    The probe exits 1 when a page is not 200 but still reports what it could, so its output
    (the traceback of a broken page, say) is shown and its JSON is still read.
    """
    env = project_env(tmp, SERVER_SETTINGS)
    command = [python, "-m", "bench.bench_probe", HOME_PATH, BARE_PATH]
    if show_sql:
        command.append("--show-sql")
    stdout = run_step("count queries", command, env, timeout=300, verbose=show_sql, allow_failure=True)
    try:
        return json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        log("WARNING: the query probe printed no report; query counts will be missing")
        return {}


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    """Ask the kernel for a free loopback port (gunicorn binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: have Linux send SIGTERM if this script dies without cleanup.

    try/finally covers exceptions and SIGTERM, but not SIGKILL or a crash; without this the
    gunicorn arbiter would outlive us and keep serving a deleted database.
    """
    try:
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def http_get(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    """One GET on loopback; returns status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": "cunban-bench/1", "Accept": "text/html"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def gunicorn_server(tmp: Path, workers: int, startup_timeout: float) -> Iterator[int]:
    """Serve the site with gunicorn sync workers on a free loopback port; yield the port.

    The server runs in its own process group so that stopping it also stops every worker,
    whatever happens in between.
    """
    port = free_port()
    # An explicit, empty config file: a gunicorn.conf.py that the project may add for
    # production must not change what the benchmark measures; the flags below say it all.
    config = tmp / "gunicorn.bench.conf.py"
    config.write_text("# The benchmark passes every setting on the command line.\n", encoding="utf-8")
    log_path = tmp / "gunicorn.log"
    command = [
        executable("gunicorn"),
        f"--config={config}",
        f"--chdir={REPO_ROOT}",
        f"--bind=127.0.0.1:{port}",
        "--worker-class=sync",
        f"--workers={workers}",
        "--timeout=30",
        "--graceful-timeout=5",
        "--error-logfile=-",
        "--log-level=warning",
        "portal.wsgi:application",
    ]
    log(f"starting gunicorn ({workers} sync workers) on 127.0.0.1:{port}")
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=project_env(tmp, SERVER_SETTINGS),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
    try:
        wait_until_ready(server, port, startup_timeout)
        yield port
    finally:
        stop_process_group(server)
        # At log level WARNING a healthy run logs nothing, so anything there is worth seeing.
        show_log_tail(log_path)


def wait_until_ready(server: subprocess.Popen[bytes], port: int, timeout: float) -> None:
    """Poll the bare view until a worker answers 200; fail fast if gunicorn dies or errs."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited during start-up (exit {server.returncode})")
        try:
            status, _ = http_get(port, BARE_PATH, timeout=5)
        except OSError as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if status == 200:
                log("server ready")
                return
            # A worker answered, so the app is loaded and broken: waiting will not help.
            raise BenchError(f"server is up but {BARE_PATH} answered HTTP {status}")
        time.sleep(0.2)
    raise BenchError(f"server not ready within {timeout:.0f} s ({last})")


def stop_process_group(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole group (arbiter and workers), then SIGKILL if it lingers."""
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            log(f"gunicorn still running after {sig.name}")
    log("gunicorn stopped")


def show_log_tail(path: Path, lines: int = 60) -> None:
    """Copy the end of the server's log (gunicorn and Django both write there) to stderr."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    # A failing page logs the same line per request; fold repeats so the tail stays readable.
    folded: list[tuple[str, int]] = []
    for line in text.splitlines():
        if folded and folded[-1][0] == line:
            folded[-1] = (line, folded[-1][1] + 1)
        else:
            folded.append((line, 1))
    tail = [line if count == 1 else f"{line}  [x{count}]" for line, count in folded[-lines:]]
    if tail:
        log(f"last {len(tail)} lines of the gunicorn log:")
        print("\n".join(tail), file=sys.stderr, flush=True)


# --- load ---------------------------------------------------------------------------------


def drive_load(port: int, path: str, args: argparse.Namespace, cookie: str = "") -> dict[str, Any]:
    """Run bench/load.py in its own process against one path; return its JSON report."""
    command = [
        sys.executable,
        str(BENCH_DIR / "load.py"),
        f"--url=http://127.0.0.1:{port}{path}",
        f"--seconds={args.seconds}",
        f"--warmup={args.warmup}",
        f"--concurrency={args.concurrency}",
        f"--generator={args.generator}",
        *([f"--cookie={cookie}"] if cookie else []),
    ]
    log(
        f"load on {path}: {args.warmup:g} s warm-up, {args.seconds:g} s measured, {args.concurrency} connections"
    )
    limit = 2 * (args.seconds + args.warmup) + 60
    try:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, timeout=limit
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"load generator on {path} did not stop within {limit:.0f} s") from exc
    if done.returncode != 0:
        raise BenchError(f"load generator on {path} failed (exit {done.returncode})")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    cpu = report.get("client_cpu_per_second")
    cpus = os.cpu_count() or 1
    # Near 1 CPU s/s the client is GIL-bound; above a fifth of the machine it is taking CPU
    # the server would otherwise use. Either way the server may be faster than measured.
    if cpu is not None and (cpu > 0.85 or cpu > 0.2 * cpus):
        log(
            f"NOTE: the Python load generator used {cpu:.2f} CPU s/s of this machine's {cpus} CPUs "
            f"on {path}, so it held the server back; install wrk (Debian package) for truer figures"
        )
    if report["errors"]:
        log(f"{report['errors']} errors on {path}: {report['error_kinds']}")
    return report


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the home page against a bare view under gunicorn.",
        epilog="Figures go to stdout as `name = value unit`; diagnostics to stderr.",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per URL (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds per URL first (2)")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument(
        "--generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: auto uses wrk when it is on PATH, else Python threads",
    )
    parser.add_argument("--startup-timeout", type=float, default=60.0, help="seconds to wait for gunicorn")
    parser.add_argument("--show-sql", action="store_true", help="print the home page's queries to stderr")
    parser.add_argument("--verbose", action="store_true", help="show the output of every setup step")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (database, logs)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.warmup < 0 or args.concurrency < 1 or args.workers < 1:
        parser.error("--seconds must be > 0, --warmup >= 0, --concurrency and --workers >= 1")
    return args


def _terminate(signum: int, _frame: object) -> None:
    """Turn SIGTERM into SystemExit so that the finally blocks stop gunicorn and clean up."""
    raise SystemExit(128 + signum)


def finish(figures: Figures, tmp: Path, *, keep: bool) -> None:
    """Print the figures gathered so far (even after a failure) and remove the throwaway site."""
    figures.print()
    if keep:
        log(f"kept {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Set up a throwaway site, measure `/` and the bare view, print figures; 0 if all went well."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    figures = Figures()
    failed = False
    try:
        prepare_site(tmp, python, args.verbose)
        probes = count_queries(tmp, python, args.show_sql)
        home_probe = probes.get(HOME_PATH, {})
        if home_probe.get("warm_status") != 200:
            failed = True
            answer = home_probe.get("warm_status") or "nothing (see the traceback above)"
            log(f"WARNING: in-process GET {HOME_PATH} answered {answer}")

        with gunicorn_server(tmp, args.workers, args.startup_timeout) as port:
            status, body = http_get(port, HOME_PATH, timeout=30)
            if status != 200:
                failed = True
                log(f"WARNING: GET {HOME_PATH} answered HTTP {status}: {body[:300]!r}")
            bare = drive_load(port, BARE_PATH, args)
            home = drive_load(port, HOME_PATH, args)
        log(f"load generator: {home['generator']} (compare figures only between runs with the same one)")

        figures.add("home_page_requests_per_second", home["requests_per_second"], "req/s")
        figures.add("bare_view_requests_per_second", bare["requests_per_second"], "req/s")
        figures.add("home_page_p50_latency", home["p50_ms"], "ms", decimals=2)
        figures.add("home_page_p95_latency", home["p95_ms"], "ms", decimals=2)
        figures.add("home_page_errors", home["errors"], "count")
        if status == 200:
            figures.add("home_page_html_bytes", len(body), "bytes")
            figures.add("home_page_html_gzip_bytes", len(gzip.compress(body, GZIP_LEVEL, mtime=0)), "bytes")
        if home_probe.get("warm_status") == 200:
            figures.add("home_page_queries", home_probe["warm_queries"], "count")
        ratio = (
            home["requests_per_second"] / bare["requests_per_second"] if bare["requests_per_second"] else None
        )
        figures.add("home_to_bare_throughput_ratio", ratio, "ratio", decimals=3)
        figures.add("home_to_bare_throughput_target", HOME_TO_BARE_TARGET, "ratio", decimals=2)
        if ratio is not None and ratio < HOME_TO_BARE_TARGET:
            failed = True
            log(
                f"FAILED: the home page has {ratio:.3f} of the bare view's throughput, below {HOME_TO_BARE_TARGET}"
            )
        # Secondary figures: the baseline's own numbers and the first-request query count.
        if home_probe.get("cold_status") == 200:
            figures.add("home_page_cold_queries", home_probe["cold_queries"], "count")
        figures.add("bare_view_p50_latency", bare["p50_ms"], "ms", decimals=2)
        figures.add("bare_view_p95_latency", bare["p95_ms"], "ms", decimals=2)
        figures.add("bare_view_errors", bare["errors"], "count")
        bare_probe = probes.get(BARE_PATH, {})
        if bare_probe.get("warm_status") == 200:
            figures.add("bare_view_queries", bare_probe["warm_queries"], "count")
        # The generator changes the figures (the Python one takes CPU from the server), so a
        # parsed history needs to know which one produced them.
        figures.add("load_generator_wrk", int(home["generator"] == "wrk"), "flag")
        if home["errors"] or bare["errors"]:
            failed = True
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        finish(figures, tmp, keep=args.keep_tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
