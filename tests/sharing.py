"""Data built once per test module and shared by its tests, each test undoing its own changes.

Building the cast (`build_world`) and a published catalogue through the services costs a few
hundred milliseconds; most tests then take a few milliseconds. So, like Django's
`TestCase.setUpTestData`, the registered builders run once per module, inside a transaction
opened for the module, before any test of it starts its own savepoint (pytest-django's `db`);
each test gets deep copies of the shared objects, so what one test changes in memory never
reaches the next, and its savepoint undoes what it changed in the database.

A fixture opts in by building through `shared(request, name)` with a builder registered under
its name (`@shareable("world")`); the builder gets the other shared objects through its `get`
argument. Only objects the module's tests use are built, and only where the fixture the test
sees is the registered one (a module may override a fixture with its own).

Tests that commit (`transactional_db`, `live_server`: the concurrency and browser tests) cannot
run inside an open transaction: other connections would not see the data and would wait on
its locks. pytest-django runs them after all the ordinary database tests; before the first one
the module transactions still open are rolled back, and those tests build their data afresh.
"""

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

Builder = Callable[[Callable[[str], Any]], Any]

_builders: dict[str, tuple[Builder, Callable]] = {}
_current_item: pytest.Item | None = None
_open: list["ModuleData"] = []


def shareable(name: str, fixture: Callable):
    """Registers `builder(get)` as the way to build the object that `fixture` (the pytest
    fixture function of that name) hands out."""

    def register(builder: Builder) -> Builder:
        _builders[name] = (builder, getattr(fixture, "__wrapped__", fixture))
        return builder

    return register


def is_transactional(item: pytest.Item) -> bool:
    """pytest-django's own test (its ordering rule): a test that commits to the database."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def before_test(item: pytest.Item) -> None:
    """Called first for every test: remembers it and, before a test that commits, rolls back
    the module transactions still open."""
    global _current_item
    _current_item = item
    if _open and is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            while _open:
                _open[-1].close()


def _uses_registered(item: pytest.Item, name: str) -> bool:
    definitions = item._fixtureinfo.name2fixturedefs.get(name)
    if not definitions:
        return False
    func = definitions[-1].func
    return getattr(func, "__wrapped__", func) is _builders[name][1]


class ModuleData:
    """One module's transaction and the objects built inside it, by name."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.atomic = transaction.atomic()
        self.atomic._from_testcase = True  # code under test may open durable blocks, as in TestCase
        self.atomic.__enter__()
        self.open = True
        _open.append(self)

    def close(self) -> None:
        if self.open:
            self.open = False
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        if self in _open:
            _open.remove(self)

    def get(self, name: str) -> Any:
        if name not in self.values:
            builder, _fixture = _builders[name]
            self.values[name] = builder(self.get)
        return self.values[name]


@pytest.fixture(scope="module", autouse=True)
def _module_data(request, django_db_blocker):
    """Builds, once, every registered object that a test of this module uses; nothing when the
    module's first test commits or none of its tests needs a shared object."""
    module = request.module
    wanted: list[str] = []
    for item in request.session.items:
        if getattr(item, "module", None) is not module or is_transactional(item):
            continue
        wanted.extend(
            name for name in _builders if name in item.fixturenames and _uses_registered(item, name)
        )
    if not wanted or (_current_item is not None and is_transactional(_current_item)):
        yield None
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        data = ModuleData()
        try:
            for name in dict.fromkeys(wanted):
                data.get(name)
        except BaseException:
            data.close()
            raise
    yield data
    with django_db_blocker.unblock():
        data.close()


def shared(request: pytest.FixtureRequest, name: str) -> Any:
    """The test's own copy of the module's `name`; built afresh for a test that commits, or
    when the module transaction has been closed."""
    data = request.getfixturevalue("_module_data")
    if data is not None and data.open and name in data.values and not is_transactional(request.node):
        return copy.deepcopy(data.values[name])
    builder, _fixture = _builders[name]
    return builder(request.getfixturevalue)
