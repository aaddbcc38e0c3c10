"""Layers that point one way (docs/architecture.md, "Layers").

Three checks keep the import graph the way issue 17 left it:

- the import-linter contracts in pyproject.toml (the order of the layers, and no cycles between
  the packages of an app) hold;
- no two modules import each other, directly or through others: every import counts, the ones
  inside functions too, so a cycle cannot hide behind an import moved into a function;
- an import inside a function says why it is there, in a comment on its line or the line above
  (app start-up in `apps.py`, a heavy library only one feature uses, a Wagtail page calling the
  views that import it), or comes from a library listed below with the reason.

No database; grimp reads the source once (a few seconds).
"""

import ast
from functools import cache
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "approvals", "certificates", "ratings", "ledger", "online", "cms", "services_catalog")

# Imports inside functions that need no comment of their own, with the reason.
LAZY_LIBRARIES = {
    "reportlab": "PDF drawing: heavy, loaded only when a paper is printed",
    "openpyxl": "workbooks: heavy, loaded only by catalogue import/export and the meeting sheet",
    "PIL": "image drawing for the demo's scans, loaded only by the demo loader",
    "stdnum": "ID number checksums for the demo's residents, loaded only by the demo loader",
    "psycopg": "PostgreSQL only: a SQLite deployment does not install it",
    "cryptography": "key checks in the settings, which load before the apps",
    "django_otp": "two-factor login, loaded only by the pages that use it",
}
LAZY_PLACES = {
    "apps.py": "AppConfig.ready: the app registry is only ready there",
    "portal/settings/": "settings load before the apps; models and most of Django are not ready",
}


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_import_linter_contracts_are_kept(capsys):
    exit_code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert exit_code == 0, capsys.readouterr().out


def _cyclic_groups(graph: grimp.ImportGraph, skip: set[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, without recursion), leaving
    out the imports in `skip`."""

    def imported_by(module: str):
        return iter(sorted(m for m in graph.find_modules_directly_imported_by(module) if (module, m) not in skip))

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, imported_by(start))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, imported_by(child)))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


# A Wagtail page serves itself: its get_context and routes call the selectors and views that
# import the page models. The only cycles left; each import carries a comment where it is made.
PAGE_SERVES_ITSELF = {
    ("cms.models", "cms.selectors"),
    ("services_catalog.models", "services_catalog.views"),
}


def test_no_modules_import_each_other_in_a_cycle():
    graph = _graph()
    for importer, imported in PAGE_SERVES_ITSELF:
        assert graph.direct_import_exists(importer=importer, imported=imported), (
            f"{importer} no longer imports {imported}: remove it from PAGE_SERVES_ITSELF"
        )
    assert _cyclic_groups(graph, skip=PAGE_SERVES_ITSELF) == []


def _function_level_imports():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            for function in ast.walk(ast.parse(source)):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        yield relative, node, lines


def _explained(relative: str, node: ast.Import | ast.ImportFrom, lines: list[str]) -> bool:
    statement = lines[node.lineno - 1 : node.end_lineno]
    before = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
    if any("#" in line for line in statement) or before.startswith("#"):
        return True
    if any(relative.endswith(place) or relative.startswith(place) for place in LAZY_PLACES):
        return True
    if isinstance(node, ast.ImportFrom) and node.level:
        return False  # one of our own modules: import it at the top, or say why
    module = node.names[0].name if isinstance(node, ast.Import) else (node.module or "")
    return module.split(".")[0] in LAZY_LIBRARIES


def test_every_import_inside_a_function_says_why():
    unexplained = sorted(
        {
            f"{relative}:{node.lineno}: {lines[node.lineno - 1].strip()}"
            for relative, node, lines in _function_level_imports()
            if not _explained(relative, node, lines)
        }
    )
    assert unexplained == [], "\n".join(
        ["Import at the top of the module, or say why on the line (# why: ...):", *unexplained]
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_are_known_first_party_to_ruff(package):
    assert f'"{package}"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8").split(
        "known-first-party", 1
    )[1].split("\n", 1)[0]
