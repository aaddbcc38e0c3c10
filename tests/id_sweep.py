"""The ID-number leak sweep: a pytest plugin that watches every response the Django test client
returns and every log record, for a full 18-character mainland resident ID number (GB 11643,
valid check digit). A leak fails the test in which it happened, naming the URL (or the logger).

Why: a full ID number on a page, in an export or in a log is the worst leak this portal can
have (the domain brief: lists, receipts and public pages show the masked form only). The many
access tests already drive nearly every page; this makes each of them an ID-number check too.

Only the pages in `ALLOWED` may show a full number, each with its reason. What is scanned: the
headers, and bodies of text/html, json, csv, pdf (text taken with poppler's `pdftotext`) and
xlsx (its XML parts) up to 5 MB. Registered from tests/conftest.py (`pytest_plugins`).
"""

from __future__ import annotations

import io
import logging
import os
import re
import subprocess
import zipfile
from dataclasses import dataclass

import pytest
from stdnum.cn import ric

MAX_BODY = 5 * 1024 * 1024

# URL name -> why that page may show a full ID number.
ALLOWED: dict[str, str] = {
    "approvals:detail": (
        "after the handler's logged reveal (approvals:id_number, one IdNumberDisclosure row) the "
        "next view of the application shows the full number once"
    ),
    "approvals:start": "the filing form echoes back the number the assistant has just typed in",
    "approvals:edit": "the draft's filing form echoes back the number the assistant typed in",
}

# 6-digit area, birth date 18xx-20xx, 3-digit order, check character: then the check digit.
ID_NUMBER = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
SCANNED_TYPES = (
    "text/html",
    "application/json",
    "text/csv",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


@dataclass(frozen=True)
class Leak:
    where: str  # "GET /work/1/ (approvals:detail)" or "log portal.audit"
    number: str

    def __str__(self) -> str:
        masked = self.number[:4] + "*" * 10 + self.number[-4:]
        return f"full ID number {masked} in {self.where}"


_leaks: list[Leak] = []


def full_id_numbers(text: str) -> list[str]:
    """Every valid full resident ID number in `text` (a masked one never matches)."""
    return [m.group(0) for m in ID_NUMBER.finditer(text) if ric.is_valid(m.group(0).upper())]


def pdf_text(content: bytes) -> str:
    """The PDF's text (CJK fonts encode digits as glyph ids, so the raw streams would not do)."""
    try:
        result = subprocess.run(
            ["pdftotext", "-q", "-", "-"], input=content, capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):  # no poppler: scan the raw bytes at least
        return content.decode("latin-1")
    return result.stdout.decode("utf-8", "replace")


def xlsx_text(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    except zipfile.BadZipFile:
        return content.decode("utf-8", "replace")


def body_text(content: bytes, content_type: str) -> str:
    if content_type.startswith("application/pdf"):
        return pdf_text(content)
    if content_type.startswith(SCANNED_TYPES[-1]):
        return xlsx_text(content)
    return content.decode("utf-8", "replace")


def _url_name(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


def scan_response(response, method: str, path: str) -> list[Leak]:
    """Record the full ID numbers `response` shows, unless its URL name is allowed to
    (ID_SWEEP_STRICT=1 allows none: to see which tests reach the allowed pages)."""
    url_name = _url_name(path)
    if url_name in ALLOWED and not os.environ.get("ID_SWEEP_STRICT"):
        return []
    texts = [f"{name}: {value}" for name, value in response.items()]
    content_type = response.get("Content-Type", "")
    if content_type.startswith(SCANNED_TYPES):
        if getattr(response, "streaming", False):
            length = response.get("Content-Length")
            if length is None or int(length) <= MAX_BODY:
                content = b"".join(response.streaming_content)
                response.streaming_content = [content]  # the test still reads the whole body
                if len(content) <= MAX_BODY:
                    texts.append(body_text(content, content_type))
        elif len(response.content) <= MAX_BODY:
            texts.append(body_text(response.content, content_type))
    where = f"{method} {path} ({url_name or 'no URL name'})"
    found = [Leak(where, number) for text in texts for number in full_id_numbers(text)]
    _leaks.extend(found)
    return found


class _LeakHandler(logging.Handler):
    """Scans every log record's message (and its formatted traceback, if any)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is not this handler's business
            text = str(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            text += f"\n{record.exc_info[1]!r}"
        _leaks.extend(Leak(f"log {record.name} ({record.levelname})", n) for n in full_id_numbers(text))


HANDLER = _LeakHandler(level=logging.DEBUG)


def take_leaks() -> list[Leak]:
    """The leaks recorded since the last call (and forget them): for the sweep's self-test."""
    found = list(_leaks)
    _leaks.clear()
    return found


def _install() -> None:
    from django.test.client import Client

    if getattr(Client.request, "_id_sweep", False):
        return
    original = Client.request

    def request(self, **request):
        response = original(self, **request)
        scan_response(response, request.get("REQUEST_METHOD", "GET"), request.get("PATH_INFO", ""))
        return response

    request._id_sweep = True
    Client.request = request


def pytest_configure(config) -> None:
    _install()
    root = logging.getLogger()
    if HANDLER not in root.handlers:
        root.addHandler(HANDLER)


def _fail_on_leaks(phase: str) -> None:
    if _leaks:
        leaks = take_leaks()
        pytest.fail(f"ID-number leak sweep ({phase}): " + "; ".join(sorted({str(leak) for leak in leaks})))


def _watch_non_propagating_loggers() -> None:
    """Loggers that do not propagate to the root (settings.LOGGING) get the handler themselves."""
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger) and not logger.propagate and HANDLER not in logger.handlers:
            logger.addHandler(HANDLER)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    _leaks.clear()
    _watch_non_propagating_loggers()
    result = yield
    _fail_on_leaks("setup")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    _fail_on_leaks("call")
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    _fail_on_leaks("teardown")
    return result
