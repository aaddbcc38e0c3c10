"""Every third-party package the code imports is named in a requirements file.

A package that is only installed because something else pulled it in (openpyxl once was) works
until that something changes; then a deployment breaks on import. The runtime packages' imports
must be in requirements.txt; the suite's and the benchmarks' in requirements-dev.txt (which
includes requirements.txt). Imports are read from the source (ast), so code that is not run in
the suite is covered too, and each import is mapped to the distribution that provides it.
"""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = (
    "portal",
    "api",
    "approvals",
    "ledger",
    "online",
    "cms",
    "services_catalog",
    "certificates",
    "ratings",
)
DEVELOPMENT = ("tests", "bench")
FIRST_PARTY = {*RUNTIME, *DEVELOPMENT, "manage"}


def _imports(folders: tuple[str, ...]) -> dict[str, set[str]]:
    """Top-level module names imported anywhere under the folders, each with a file that does."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")) if (ROOT / folder).is_dir() else []:
            tree = ast.parse(path.read_bytes(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.partition(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def _declared(requirements: str) -> set[str]:
    """Normalised distribution names a requirements file names, following -r includes."""
    names: set[str] = set()
    for line in (ROOT / requirements).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r"):
            names |= _declared(line[2:].strip())
        elif line:
            names.add(_normalise(re.split(r"[\s\[<>=!~;]", line, maxsplit=1)[0]))
    return names


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _undeclared(folders: tuple[str, ...], requirements: str) -> dict[str, list[str]]:
    """Third-party modules imported under the folders whose distribution the file does not name."""
    providers = packages_distributions()
    declared = _declared(requirements)
    missing: dict[str, list[str]] = {}
    for module, files in _imports(folders).items():
        if module in sys.stdlib_module_names or module in FIRST_PARTY or module == "__future__":
            continue
        distributions = {_normalise(name) for name in providers.get(module, [])}
        if not distributions:
            missing[module] = [f"not installed, imported by {sorted(files)[0]}"]
        elif not distributions & declared:
            missing[module] = [f"{sorted(distributions)} imported by {sorted(files)[0]}"]
    return missing


def test_runtime_imports_are_in_requirements_txt():
    assert _undeclared(RUNTIME, "requirements.txt") == {}


def test_suite_and_benchmark_imports_are_in_requirements_dev_txt():
    assert _undeclared(DEVELOPMENT, "requirements-dev.txt") == {}


def test_the_import_reader_sees_third_party_imports():
    """The check would pass vacuously if it read nothing: it finds Django and pikepdf."""
    imported = _imports(RUNTIME)
    assert {"django", "pikepdf", "zxcvbn"} <= imported.keys()
    assert "openpyxl" in _declared("requirements.txt")
