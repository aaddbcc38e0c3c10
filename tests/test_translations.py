"""The Simplified Chinese catalog is complete: zh-hans is the default language."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module")
def msgfmt() -> str:
    path = shutil.which("msgfmt")
    if path is None:
        pytest.fail("msgfmt (GNU gettext) is needed to check the catalog: apt-get install gettext")
    return path


def test_every_message_is_translated_and_none_is_fuzzy(msgfmt):
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(CATALOG)],
        capture_output=True,
        text=True,
        check=False,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


def test_the_compiled_catalog_is_up_to_date(msgfmt):
    """django.mo must be compiled from the committed django.po (`make messages`)."""
    fresh = subprocess.run([msgfmt, "-o", "-", str(CATALOG)], capture_output=True, check=True)
    assert fresh.stdout == CATALOG.with_suffix(".mo").read_bytes(), "run `make messages` and commit django.mo"
