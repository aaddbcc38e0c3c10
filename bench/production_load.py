"""Load a production-like build of the portal until it bends: the knee per page, then a soak.

Why: the other benchmarks time one page at a fixed concurrency; this one asks how many
concurrent users each kind of page survives on this box before p95 passes 500 ms or a request
fails, and whether memory creeps while it is kept busy. So it builds the site the way it is
deployed: a throwaway PostgreSQL database, migrate, demo data (`load_demo`, CUNBAN_DEMO=1),
collectstatic, gunicorn sync workers with DEBUG=0, SECURE_COOKIES=0, ALLOWED_HOSTS=127.0.0.1,
and loads it from wrk on loopback (installed with apt-get when missing and run as root;
otherwise bench/load.py's Python threads, which cannot POST and so skip the POST target).

Targets (each ramped 1, 2, 4, ... connections until errors > 0 or p95 > --p95-limit-ms; the
knee is the last step within limits): the bare view `/_bench/bare/` in the same gunicorn, the
guide home, a service item page, guide search, the tracking form (GET), a tracking lookup
(POST number + last4 with a CSRF token fetched once: a wrong number, so the same request can be
repeated for ever and each one still runs the lookup and its refusal counting), and the staff
inbox `/work/` with a demo clerk's session cookie, and a staff action: the clerk accepting (受理)
applications, each request a different one of --staff-actions applications filed beforehand
through the services (draft, villager, scans, consent, submit) as the demo's assistant; each
step counts its decisions in the database, and a request that decided nothing is an error.

Then the soak: --soak-seconds (600) over a round-robin mix of the GET targets at half the
smallest knee's concurrency, sampling the RSS of the gunicorn master and workers every 10 s
(/proc), reporting errors and memory first/last/max and the slope in MB/min ("flat" when under
--flat-mb-per-min). A JSON summary is printed last on stdout.

Usage: .venv/bin/python bench/production_load.py [--step-seconds 10] [--soak-seconds 600]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Run as a script, Python puts bench/ first on the path, where bench/approvals.py and
# bench/ledger.py would shadow the apps of those names; the repository root must come first
# instead, and bench/ not at all.
_BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _BENCH_DIR]
sys.path.insert(0, str(_BENCH_DIR.parent))

from bench import home_page  # noqa: E402  (the repo root must be importable first)
from bench.approvals import throwaway_postgres  # noqa: E402
from bench.home_page import BARE_PATH, REPO_ROOT, BenchError, _terminate, executable, log, run_step  # noqa: E402
from bench.load import run_load, run_wrk  # noqa: E402

STEPS = (1, 2, 4, 8, 16, 32, 64, 128)
RSS_SAMPLE_SECONDS = 10.0
WARMUP_SECONDS = 1.0
SETTLE_SECONDS = 1.0

# A shell snippet run with `manage.py shell -c`: the paths to load and a clerk's session.
_DISCOVER = r"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from services_catalog.models import ServiceGuideIndexPage
guide = ServiceGuideIndexPage.objects.live().first()
item = guide.get_children().live().first().specific
clerk = get_user_model().objects.get(username="demo_clerk")
session = import_module(settings.SESSION_ENGINE).SessionStore()
backend = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower())
session[SESSION_KEY] = str(clerk.pk)
session[BACKEND_SESSION_KEY] = backend
session[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
session.create()
print("DISCOVER " + json.dumps({
    "guide": guide.relative_url(None) or guide.url_path, "item": item.relative_url(None),
    "query": item.title[:2], "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
}))
"""


# A shell snippet that files BENCH_STAFF_ACTIONS applications through the services, as a village
# assistant of the demo would, into a centre where demo_clerk accepts them; prints their ids.
_STAFF_WORK = r"""
import json, os
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from approvals import selectors, services
from approvals.models import Application, ApplicationFile
from approvals.states import Act, State
from portal.demo.applications import scan_png
clerk = get_user_model().objects.get(username="demo_clerk")
png = scan_png("bench")
def acceptable(application):
    return Act.ACCEPT in {step.act for step in selectors.steps_for(clerk, application)}
sample = next((
    a for a in Application.objects.exclude(state=State.DRAFT).filter(events__actor=clerk)
    .select_related("item", "village", "filed_by", "resident").distinct()[:200]
    if a.resident_id and a.filed_by_id
), None)
if sample is None:
    raise SystemExit("the demo has no application demo_clerk worked on to copy")
made = []
for index in range(int(os.environ["BENCH_STAFF_ACTIONS"])):
    application = services.draft_start(actor=sample.filed_by, item=sample.item, village=sample.village)
    services.draft_update(actor=sample.filed_by, application=application, resident=sample.resident)
    for material in sample.item.materials.all():
        services.file_attach(actor=sample.filed_by, application=application, kind=ApplicationFile.Kind.MATERIAL,
            material=material, uploaded=SimpleUploadedFile("scan.png", png, content_type="image/png"))
    services.file_attach(actor=sample.filed_by, application=application, kind=ApplicationFile.Kind.CONSENT,
        uploaded=SimpleUploadedFile("consent.png", png, content_type="image/png"))
    application, _ = services.application_submit(actor=sample.filed_by, application=application)
    if index == 0 and not acceptable(application):
        raise SystemExit(f"demo_clerk cannot accept {application.number}")
    made.append([application.pk, application.version])
print("STAFFWORK " + json.dumps({"item": sample.item.title, "made": made}))
"""


def server_env(tmp: Path, settings_module: str, demo: bool, database_url: str) -> dict[str, str]:
    """home_page's environment, pointed at the throwaway PostgreSQL database, as deployed."""
    env = _project_env(tmp, settings_module, demo)
    env.update({"DATABASE_URL": database_url, "SECURE_COOKIES": "0", "ALLOWED_HOSTS": "127.0.0.1"})
    return env


_project_env = home_page.project_env


def ensure_wrk() -> bool:
    """wrk on PATH, installing the Debian package when we are root; False means Python client."""
    if shutil.which("wrk"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (apt-get install -y wrk) ...")
        subprocess.run(["apt-get", "install", "-y", "wrk"], capture_output=True, check=False)
    return shutil.which("wrk") is not None


def csrf_for(port: int, path: str, cookie: str = "") -> tuple[str, str]:
    """GET the form once (with `cookie`, if any); return the Cookie header to send back (the
    given one plus what the response set) and the form's csrfmiddlewaretoken."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"User-Agent": "cunban-bench/1", **({"Cookie": cookie} if cookie else {})}
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        cookies = [
            value.split(";", 1)[0] for key, value in response.getheaders() if key.lower() == "set-cookie"
        ]
    finally:
        conn.close()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match:
        raise BenchError(f"no CSRF token in {path} (HTTP {response.status})")
    return "; ".join([cookie, *cookies] if cookie else cookies), match.group(1)


def post_lua(body: str, cookie: str) -> str:
    """wrk setup that turns every request into the same form POST."""
    return (
        f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n'
    )


def accept_lua(pending: list[list[int]], threads: int, token: str, cookie: str) -> str:
    """wrk setup in which every request accepts (受理) a different submitted application.

    The applications are dealt out to wrk's threads (each has its own Lua state); a thread that
    runs out starts its list again, and those requests are refusals ("已被处理"), which the
    bench counts from the database afterwards. Success is the redirect to the file (302)."""
    slices = [pending[k::threads] for k in range(threads)]
    tables = ", ".join(
        "{" + ", ".join(f"{{{pk}, {version}}}" for pk, version in part) + "}" for part in slices
    )
    return (
        f"local slices = {{{tables}}}\nlocal turn = 0\nexpected_status = 302\n"
        'function on_setup(thread, index)\n  thread:set("slice", index)\nend\n'
        "request = function()\n  local mine = slices[slice]\n  turn = turn % #mine + 1\n"
        "  local pk, version = mine[turn][1], mine[turn][2]\n"
        '  local headers = {["Content-Type"] = "application/x-www-form-urlencoded", '
        f'["Cookie"] = {json.dumps(cookie)}}}\n'
        '  return wrk.format("POST", "/work/" .. pk .. "/act/accept/", headers, '
        f'"csrfmiddlewaretoken={token}&version=" .. version .. "&comment=")\nend\n'
    )


def pending_applications(database_url: str, made: list[list[int]]) -> list[list[int]]:
    """Those of the bench's applications still waiting to be accepted, with their versions."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT id, version FROM approvals_application WHERE id = ANY(%s) AND state = 'submitted' ORDER BY id",
            ([pk for pk, _version in made],),
        ).fetchall()
    return [[pk, version] for pk, version in rows]


def mix_lua(paths: list[str]) -> str:
    """wrk setup that cycles each connection through the GET paths."""
    listed = ", ".join(json.dumps(p) for p in paths)
    return (
        f"local paths = {{{listed}}}\nlocal turn = 0\n"
        "request = function()\n  turn = turn % #paths + 1\n"
        "  return wrk.format(nil, paths[turn])\nend\n"
    )


def measure(port: int, target: dict[str, Any], concurrency: int, seconds: float, use_wrk: bool) -> dict:
    """One step on one target; the same JSON as bench/load.py."""
    url = f"http://127.0.0.1:{port}{target['path']}"
    if target.get("accepts"):
        return measure_accepts(url, target, concurrency, seconds)
    if target.get("lua"):
        result = run_wrk(
            shutil.which("wrk"), url, seconds, WARMUP_SECONDS, concurrency, extra_lua=target["lua"]
        )
    else:
        result = run_load(
            url,
            seconds=seconds,
            warmup=WARMUP_SECONDS,
            concurrency=concurrency,
            generator="wrk" if use_wrk else "python",
            cookie=target.get("cookie", ""),
        )
    return result.__dict__


class OutOfWork(Exception):
    """The bench's submitted applications are used up: the ramp of staff_accept ends there."""


def measure_accepts(url: str, target: dict[str, Any], concurrency: int, seconds: float) -> dict:
    """One step of real acceptances, the decisions counted in the database; a request that found
    nothing left to accept is an error. The warm-up second accepts applications of its own, so
    the measured run is dealt the ones still waiting after it."""
    accepts = target["accepts"]
    threads = max(1, min(concurrency, os.cpu_count() or 1))

    def dealt() -> tuple[list[list[int]], str]:
        # wrk stops at its deadline while the server may still be finishing the last requests
        # of the run before; let them land, or this run is dealt applications being accepted.
        time.sleep(SETTLE_SECONDS)
        pending = pending_applications(accepts["database_url"], accepts["made"])
        if len(pending) < threads:
            raise OutOfWork(f"{len(pending)} submitted applications left for {threads} wrk threads")
        return pending, accept_lua(pending, threads, accepts["token"], accepts["cookie"])

    run_wrk(shutil.which("wrk"), url, WARMUP_SECONDS, 0.0, concurrency, extra_lua=dealt()[1])
    pending, lua = dealt()
    result = run_wrk(shutil.which("wrk"), url, seconds, 0.0, concurrency, extra_lua=lua).__dict__
    decided = len(pending) - len(pending_applications(accepts["database_url"], accepts["made"]))
    refused = max(0, result["requests"] - decided)
    result["accepted"] = decided
    if refused:
        result["errors"] += refused
        result["error_kinds"] = {**(result["error_kinds"] or {}), "not_accepted": refused}
    return result


def ramp(port: int, target: dict[str, Any], args: argparse.Namespace, use_wrk: bool) -> dict[str, Any]:
    """Double the connections until a step fails the limits; the knee is the step before."""
    knee: dict[str, Any] | None = None
    steps = []
    for concurrency in STEPS:
        if concurrency > args.max_concurrency:
            break
        try:
            step = measure(port, target, concurrency, args.step_seconds, use_wrk)
        except OutOfWork as exc:
            log(f"{target['name']} c={concurrency}: not measured, {exc} (raise --staff-actions)")
            break
        p95 = step["p95_ms"] or 0.0
        log(
            f"{target['name']} c={concurrency}: {step['requests_per_second']:.1f} req/s "
            f"p50 {step['p50_ms'] or 0:.0f} p95 {p95:.0f} p99 {step['p99_ms'] or 0:.0f} ms, "
            f"{step['errors']} errors {step['error_kinds'] or ''}"
            + (f", {step['accepted']} accepted" if "accepted" in step else "")
        )
        steps.append(step)
        if step["errors"] > 0 or p95 > args.p95_limit_ms or not step["requests"]:
            break
        knee = step
    return {"target": target["name"], "path": target["path"], "knee": knee, "steps": steps}


def gunicorn_pids(master: int) -> list[int]:
    """The master and its children (the workers), read from /proc."""
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return pids


def rss_mb(pids: list[int]) -> float:
    """Summed VmRSS of the processes, in MB (psutil is not a dependency; /proc says the same)."""
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb / 1024


def find_master(port: int) -> int:
    """The gunicorn arbiter listening on our port (home_page keeps its Popen to itself)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if f"--bind=127.0.0.1:{port}".encode() in cmdline and int(fields[1]) != 0:
            parent = Path(f"/proc/{fields[1]}/cmdline")
            try:
                if f"--bind=127.0.0.1:{port}".encode() in parent.read_bytes().split(b"\0"):
                    continue  # a worker: its parent is the master
            except OSError:
                pass
            return int(entry.name)
    raise BenchError("gunicorn master not found in /proc")


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of RSS against time."""
    if len(samples) < 2:
        return None
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    if not var:
        return None
    return sum((t - mean_t) * (m - mean_m) for t, m in samples) / var * 60


def soak(port: int, paths: list[str], concurrency: int, args: argparse.Namespace, use_wrk: bool) -> dict:
    """Hold the mix for --soak-seconds, sampling gunicorn's RSS every 10 s."""
    pids_of = gunicorn_pids(find_master(port))
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    started = time.monotonic()

    def sample() -> None:
        while True:
            samples.append((time.monotonic() - started, rss_mb(gunicorn_pids(pids_of[0]))))
            if stop.wait(RSS_SAMPLE_SECONDS):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    log(f"soak: {args.soak_seconds:g} s, {concurrency} connections over {paths}")
    try:
        if use_wrk:
            result = run_wrk(
                shutil.which("wrk"),
                f"http://127.0.0.1:{port}{paths[0]}",
                args.soak_seconds,
                0.0,
                concurrency,
                cookie="",
                extra_lua=mix_lua(paths),
            ).__dict__
        else:
            result = measure(port, {"path": paths[0]}, concurrency, args.soak_seconds, False)
    finally:
        stop.set()
        sampler.join()
    memory = [m for _, m in samples]
    slope = slope_mb_per_min(samples)
    return {
        "concurrency": concurrency,
        "paths": paths,
        "requests": result["requests"],
        "requests_per_second": result["requests_per_second"],
        "p50_ms": result["p50_ms"],
        "p95_ms": result["p95_ms"],
        "p99_ms": result["p99_ms"],
        "errors": result["errors"],
        "error_kinds": result["error_kinds"],
        "rss_mb_first": memory[0] if memory else None,
        "rss_mb_last": memory[-1] if memory else None,
        "rss_mb_max": max(memory) if memory else None,
        "rss_slope_mb_per_min": slope,
        "flat_threshold_mb_per_min": args.flat_mb_per_min,
        "flat": slope is not None and abs(slope) < args.flat_mb_per_min,
        "samples": [[round(t, 1), round(m, 1)] for t, m in samples],
    }


def print_table(ramps: list[dict[str, Any]]) -> None:
    header = (
        f"{'target':<16} {'knee c':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for row in ramps:
        knee = row["knee"]
        if knee is None:
            last = row["steps"][-1] if row["steps"] else {}
            print(
                f"{row['target']:<16} {'<1':>6} {'-':>8} {'-':>7} {'-':>7} {'-':>7} {last.get('errors', '-'):>6}"
            )
            continue
        print(
            f"{row['target']:<16} {knee['concurrency']:>6} {knee['requests_per_second']:>8.1f} "
            f"{knee['p50_ms']:>7.1f} {knee['p95_ms']:>7.1f} {knee['p99_ms']:>7.1f} {knee['errors']:>6}"
        )
    sys.stdout.flush()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step-seconds", type=float, default=10.0, help="measured seconds per ramp step")
    parser.add_argument("--max-concurrency", type=int, default=128, help="stop ramping here")
    parser.add_argument("--p95-limit-ms", type=float, default=500.0, help="knee limit on p95")
    parser.add_argument("--soak-seconds", type=float, default=600.0, help="soak length; 0 skips it")
    parser.add_argument("--flat-mb-per-min", type=float, default=1.0, help="'flat' RSS slope threshold")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="2*cores+1")
    parser.add_argument(
        "--staff-actions", type=int, default=4000, help="applications filed for staff_accept; 0 skips it"
    )
    parser.add_argument("--only", default="", help="comma-separated target names to ramp")
    parser.add_argument("--verbose", action="store_true", help="show the output of every setup step")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    use_wrk = ensure_wrk()
    log(f"generator: {'wrk' if use_wrk else 'python (POST target skipped)'}")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-prodload-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    summary: dict[str, Any] = {
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "generator": "wrk" if use_wrk else "python",
    }
    try:
        with throwaway_postgres("load") as database_url:
            # home_page's server and steps read home_page.project_env: point it at PostgreSQL.
            home_page.project_env = lambda t, s, demo=False: server_env(t, s, demo, database_url)
            manage = [python, str(REPO_ROOT / "manage.py")]
            env = home_page.project_env(tmp, home_page.PROJECT_SETTINGS)
            run_step("migrate", [*manage, "migrate", "--noinput"], env, 900, args.verbose)
            demo_env = home_page.project_env(tmp, home_page.PROJECT_SETTINGS, demo=True)
            run_step("load_demo", [*manage, "load_demo"], demo_env, 900, args.verbose)
            run_step("collectstatic", [*manage, "collectstatic", "--noinput"], env, 600, args.verbose)
            out = run_step("discover", [*manage, "shell", "-c", _DISCOVER], env, 300, args.verbose)
            found = json.loads(next(line for line in out.splitlines() if line.startswith("DISCOVER "))[9:])
            log(f"paths: {found}")
            staff_work = None
            if use_wrk and args.staff_actions and (not args.only or "staff_accept" in args.only):
                work_env = {**env, "BENCH_STAFF_ACTIONS": str(args.staff_actions)}
                out = run_step(
                    "file applications", [*manage, "shell", "-c", _STAFF_WORK], work_env, 1800, args.verbose
                )
                staff_work = json.loads(
                    next(line for line in out.splitlines() if line.startswith("STAFFWORK "))[10:]
                )
                log(
                    f"staff_accept: {len(staff_work['made'])} applications submitted for {staff_work['item']}"
                )
            with home_page.gunicorn_server(tmp, args.workers, 120) as port:
                cookie, token = csrf_for(port, "/track/")
                body = urlencode({"csrfmiddlewaretoken": token, "number": "BD-2026-000000", "last4": "1234"})
                targets = [
                    {"name": "bare", "path": BARE_PATH},
                    {"name": "guide_home", "path": found["guide"]},
                    {"name": "service_item", "path": found["item"]},
                    {"name": "guide_search", "path": "/search/?" + urlencode({"q": found["query"]})},
                    {"name": "track_get", "path": "/track/"},
                    {"name": "track_post", "path": "/track/", "lua": post_lua(body, cookie)},
                    {"name": "staff_inbox", "path": "/work/", "cookie": found["cookie"]},
                ]
                if staff_work:
                    first = staff_work["made"][0][0]
                    staff_cookie, staff_token = csrf_for(port, f"/work/{first}/act/accept/", found["cookie"])
                    accepts = {"database_url": database_url, "made": staff_work["made"]}
                    accepts.update(token=staff_token, cookie=staff_cookie)
                    targets.append(
                        {"name": "staff_accept", "path": f"/work/{first}/act/accept/", "accepts": accepts}
                    )
                if not use_wrk:
                    targets = [t for t in targets if not t.get("lua")]
                if args.only:
                    wanted = set(args.only.split(","))
                    targets = [t for t in targets if t["name"] in wanted]
                ramps = [ramp(port, target, args, use_wrk) for target in targets]
                summary["ramps"] = ramps
                print_table(ramps)
                if args.soak_seconds > 0:
                    mix = [
                        r
                        for r in ramps
                        if r["target"] not in {"bare", "track_post", "staff_inbox", "staff_accept"}
                    ]
                    knees = [r["knee"]["concurrency"] for r in mix if r["knee"]]
                    concurrency = max(1, min(knees or [2]) // 2)
                    result = soak(port, [r["path"] for r in mix], concurrency, args, use_wrk)
                    summary["soak"] = result
                    print(
                        f"soak: {result['requests']} requests at {result['requests_per_second']:.1f} req/s, "
                        f"{result['errors']} errors; RSS first {result['rss_mb_first']:.1f} last "
                        f"{result['rss_mb_last']:.1f} max {result['rss_mb_max']:.1f} MB, slope "
                        f"{result['rss_slope_mb_per_min'] or 0:.3f} MB/min "
                        f"({'flat' if result['flat'] else 'NOT flat'} at < {args.flat_mb_per_min} MB/min)"
                    )
    except BenchError as exc:
        log(f"FAILED: {exc}")
        return 1
    finally:
        home_page.project_env = _project_env
        shutil.rmtree(tmp, ignore_errors=True)
    for row in summary.get("ramps", []):
        for step in row["steps"]:
            step.pop("url", None)
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
