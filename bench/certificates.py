"""Benchmark printed certificates: one PDF at a time, and merged batches of growing size.

Why this shape: a villager waits at the window while a clerk prints the certificate, and after
a busy day a centre prints a stack of them in one go; the stack must not need more memory the
taller it gets. So the benchmark builds a throwaway county (the approvals benchmark's), approves
one 低保 application through the services so that its certificate is issued as in production,
and copies that certificate row `--count` times with their own serials and QR tokens (rendering
reads only the row, so the copies cost what real ones would). Then, each in a fresh process:

- one certificate after another (`certificates.printing.certificate_pdf`), `--singles`
  of them (200): the median and p95 milliseconds per PDF and the bytes of one;
- batches (`certificates_pdf`, what the print page's task and `manage.py print_certificates`
  run) of 250, 500, 1,000 and 2,000 certificates into one PDF file: pages per second, the file's
  size, and the process's peak resident memory during the batch above what it held before it
  (the kernel's high-water mark, reset just before the batch).

Targets (issue 6): under 15 ms and 60 KB per certificate, at least 120 pages/s for a 1,000-page
batch, and memory flat as the batch grows. Figures go to stdout as `name = value unit`.

Usage: .venv/bin/python bench/certificates.py [--count 2000] [--singles 200] [--keep-tmp]
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

BATCHES = (250, 500, 1000, 2000)
TARGET_MS, TARGET_BYTES, TARGET_PAGES_PER_SECOND = 15.0, 60_000, 120.0


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise BenchError(f"/proc/self/status has no {field}")


def _reset_peak() -> None:
    """Reset the kernel's resident high-water mark (VmHWM) to the current size (Linux)."""
    Path("/proc/self/clear_refs").write_text("5")


# -- the worker: runs inside the throwaway site ---------------------------------------------------


def worker_setup(count: int) -> dict:
    """Issue one certificate through the services and copy it to `count` rows."""
    import random

    from django.db import transaction

    from approvals import services
    from bench.approvals import _build_county
    from certificates import tokens
    from certificates.models import Certificate, CertificateSequence
    from services_catalog.models import ServiceItemPage
    from tests.approvals.conftest import Cases

    county = _build_county(random.Random(6))
    world, items = county["world"], county["items"]
    ServiceItemPage.objects.filter(pk=items["dibao"].pk).update(
        certificate_name="最低生活保障金领取证", certificate_valid_months=12
    )
    items["dibao"].refresh_from_db()
    village = world.village_a1
    resident = county["residents"][village.pk][0]
    cases = Cases(world, items, {"a1": resident})
    application = cases.accepted("dibao", "a1")
    services.application_approve(actor=world.clerk_a, application=application)
    first = Certificate.objects.get(application=application)
    prefix, year = first.licence_number.split("〔")[0], first.issued_on.year
    fields = {
        field.name: getattr(first, field.name)
        for field in Certificate._meta.concrete_fields
        if field.name not in {"id", "identifier", "licence_number", "token"}
    }
    with transaction.atomic():
        rows = []
        for number in range(2, count + 1):
            serial = tokens.format_serial(prefix, year, number)
            rows.append(Certificate(**fields, licence_number=serial, token=tokens.certificate_token(serial)))
        Certificate.objects.bulk_create(rows, batch_size=500)
        CertificateSequence.objects.filter(office=world.centre_a, year=year).update(last=count)
    return {"certificates": Certificate.objects.count(), "clerk": world.clerk_a.username}


def worker_singles(count: int) -> dict:
    from certificates.models import Certificate
    from certificates.printing import certificate_pdf

    certificates = list(Certificate.objects.select_related("application").order_by("pk")[:count])
    certificate_pdf(certificates[0])  # registers the font, warms the caches
    times, sizes = [], []
    for certificate in certificates:
        started = time.perf_counter()
        data = certificate_pdf(certificate)
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(data))
    times.sort()
    return {
        "count": len(times),
        "median_ms": times[len(times) // 2],
        "p95_ms": times[min(len(times) - 1, round(0.95 * len(times)))],
        "bytes_median": sorted(sizes)[len(sizes) // 2],
        "bytes_max": max(sizes),
    }


def worker_batch(size: int, tmp: Path) -> dict:
    from certificates.models import Certificate
    from certificates.printing import certificate_pdf, certificates_pdf
    from portal.people.models import User

    user = User.objects.get(username="clerk_a")
    ids = list(Certificate.objects.order_by("pk").values_list("pk", flat=True)[:size])
    certificate_pdf(Certificate.objects.select_related("application").first())  # font loaded
    before = _kib("VmRSS")
    _reset_peak()
    path = tmp / f"batch-{size}.pdf"
    started = time.perf_counter()
    with path.open("wb") as out:
        result = certificates_pdf(user=user, certificate_ids=ids, out=out)
    seconds = time.perf_counter() - started
    peak = _kib("VmHWM")
    size_bytes = path.stat().st_size
    path.unlink()
    return {
        "pages": result.pages,
        "failures": len(result.failures),
        "seconds": seconds,
        "bytes": size_bytes,
        "rss_before_kib": before,
        "peak_above_kib": peak - before,
    }


def run_worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    if args.worker == "setup":
        report = worker_setup(args.count)
    elif args.worker == "singles":
        report = worker_singles(args.singles)
    else:
        report = worker_batch(int(args.worker), Path(args.tmp))
    print(json.dumps(report))
    return 0


# -- the driver -----------------------------------------------------------------------------------


def _worker(python: str, env: dict, tmp: Path, which: str, args: argparse.Namespace) -> dict:
    import subprocess

    command = [
        python,
        str(Path(__file__).resolve()),
        f"--worker={which}",
        f"--count={args.count}",
        f"--singles={args.singles}",
        f"--tmp={tmp}",
    ]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"worker {which} failed (exit {done.returncode})")
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError) as exc:
        raise BenchError(f"worker {which} printed no figures") from exc


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=max(BATCHES), help="certificates in the tables (2000)")
    parser.add_argument("--singles", type=int, default=200, help="certificates printed one by one (200)")
    parser.add_argument("--verbose", action="store_true", help="show the output of every setup step")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the throwaway site afterwards")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count < max(BATCHES) or args.singles < 1:
        parser.error(f"--count must be at least {max(BATCHES)} and --singles at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-certificates-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    figures = Figures()
    failed = False
    try:
        env = project_env(tmp, PROJECT_SETTINGS)
        env["PRIVATE_MEDIA_ROOT"] = str(tmp / "private")
        run_step(
            "migrate", [python, str(REPO_ROOT / "manage.py"), "migrate", "--noinput"], env, 900, args.verbose
        )
        log(f"issuing one certificate and copying it to {args.count} ...")
        setup = _worker(python, env, tmp, "setup", args)
        figures.add("certificates_in_tables", setup["certificates"], "count")

        log(f"printing {args.singles} certificates one by one ...")
        singles = _worker(python, env, tmp, "singles", args)
        figures.add("certificate_pdf_median", singles["median_ms"], "ms", decimals=2)
        figures.add("certificate_pdf_p95", singles["p95_ms"], "ms", decimals=2)
        figures.add("certificate_pdf_bytes", singles["bytes_median"], "bytes")
        figures.add("certificate_pdf_bytes_max", singles["bytes_max"], "bytes")
        notes = []
        if singles["median_ms"] > TARGET_MS:
            notes.append(f"median {singles['median_ms']:.1f} ms is above the {TARGET_MS:.0f} ms target")
        if singles["bytes_max"] > TARGET_BYTES:
            notes.append(f"{singles['bytes_max']} bytes is above the {TARGET_BYTES} byte target")

        peaks = {}
        for size in BATCHES:
            log(f"printing a batch of {size} ...")
            batch = _worker(python, env, tmp, str(size), args)
            if batch["pages"] != size or batch["failures"]:
                raise BenchError(f"batch of {size}: {batch['pages']} pages, {batch['failures']} failures")
            rate = batch["pages"] / batch["seconds"]
            figures.add(f"batch_{size}_pages_per_second", rate, "1/s")
            figures.add(f"batch_{size}_bytes", batch["bytes"], "bytes")
            figures.add(f"batch_{size}_bytes_per_page", batch["bytes"] / size, "bytes")
            figures.add(
                f"batch_{size}_peak_memory_above_start", batch["peak_above_kib"] / 1024, "MiB", decimals=2
            )
            peaks[size] = batch["peak_above_kib"]
            if size == 1000 and rate < TARGET_PAGES_PER_SECOND:
                notes.append(f"1000-page batch at {rate:.0f} pages/s is below {TARGET_PAGES_PER_SECOND:.0f}")
        growth = (peaks[max(BATCHES)] - peaks[min(BATCHES)]) / (max(BATCHES) - min(BATCHES))
        figures.add("batch_peak_memory_growth_per_page", growth, "KiB", decimals=2)
        for note in notes:
            log(f"NOTE: {note}")
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        finish(figures, tmp, keep=args.keep_tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
