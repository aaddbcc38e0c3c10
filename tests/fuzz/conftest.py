"""Shared pieces of the fuzz tests: the input counter, the strategies, and the PostgreSQL skip.

The fuzz modules run on SQLite only (they exercise views, not the database), so CI runs them once.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

COUNTS: dict[str, int] = {}
SERVER_ERRORS: list[str] = []

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis"))
skip_on_postgres = pytest.mark.skipif(ON_POSTGRES, reason="fuzzing runs once, on SQLite")


# `make test` tries a fifth of each form's inputs; `make test-slow` sets CUNBAN_FUZZ_SCALE=1 and
# tries them all (derandomized, so the quick run's inputs are the first of the long run's).
FUZZ_SCALE = float(os.environ.get("CUNBAN_FUZZ_SCALE", "0.2"))


def fuzz_settings(examples: int) -> settings:
    """Reproducible (derandomize), no example database in the repo, no deadline on slow CI;
    `examples` is the long run's count, scaled by CUNBAN_FUZZ_SCALE."""
    return settings(
        max_examples=max(50, round(examples * FUZZ_SCALE)),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def count(form: str, response) -> None:
    """Counts one input, and fails on a server error (the client also raises any exception)."""
    COUNTS[form] = COUNTS.get(form, 0) + 1
    if response.status_code >= 500:
        SERVER_ERRORS.append(form)
    assert response.status_code < 500, form


# Text a hostile or clumsy user might type: any unicode (no lone surrogates, which a browser cannot
# send), control characters and NUL, bidi overrides, SQL and HTML fragments, long strings.
HOSTILE_FRAGMENTS = st.sampled_from(
    [
        "' OR 1=1 --",
        "'; DROP TABLE approvals_application; --",
        '"><script>alert(1)</script>',
        "<img src=x onerror=alert(1)>",
        "\x00",
        "\u202e",
        "\u2066\u2069",
        "%00",
        "{{ 7*7 }}",
        "{% debug %}",
        "../../etc/passwd",
        "\r\n\r\nSet-Cookie: x=1",
        "１２３４",
        "١٢٣٤",
    ]
)
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
    st.lists(HOSTILE_FRAGMENTS, min_size=1, max_size=4).map("".join),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=5).map(lambda s: s * 3000),
)
DIGITS = st.text("0123456789", min_size=0, max_size=25)
NEAR_ID = st.builds(
    lambda base, tail: base + tail,
    st.sampled_from(["110101199003071234", "12011519800101001X", "120115198001010"]),
    st.text("0123456789Xx \t-", max_size=4),
)
NEAR_MOBILE = st.builds(lambda p, d: p + d, st.sampled_from(["137", "+86137", "0086 138", "1"]), DIGITS)
NEAR_NUMBER = st.builds(
    lambda a, b: f"{a}-{b}",
    st.text("0123456789", min_size=1, max_size=10),
    st.text("0123456789A", max_size=8),
)
VALUE = st.one_of(TEXT, DIGITS, NEAR_ID, NEAR_MOBILE, NEAR_NUMBER)


def pytest_terminal_summary(terminalreporter) -> None:
    if COUNTS:
        for form, n in sorted(COUNTS.items()):
            terminalreporter.write_line(f"fuzz {form}: {n} inputs")
        terminalreporter.write_line(
            f"fuzzed {sum(COUNTS.values())} inputs, {len(SERVER_ERRORS)} server errors"
        )
