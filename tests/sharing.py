"""Data built once per test module and shared by its tests, each test undoing its own changes.

Building the cast (`build_world`) and a published catalogue through the services costs a few
hundred milliseconds; most tests then take a few milliseconds. So, like Django's
`TestCase.setUpTestData`, the registered builders run once per module, inside a transaction
opened for the module, before any test of it starts its own savepoint (pytest-django's `db`);
each test gets deep copies of the shared objects, so what one test changes in memory never
reaches the next, and its savepoint undoes what it changed in the database.

A fixture opts in by building through `shared(request, name)` with a builder registered under
its name (`@shareable("world")`); the builder gets the other shared objects through its `get`
argument. Exactly the objects a test uses are built, and only where the fixture the test sees
is the registered one (a module may override a fixture with its own): when the next test of the
module uses others, the data is rolled back and built again for it, so no test sees rows it did
not ask for. Keep the tests of a module that use the same fixtures together.

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
_module: "ModuleData | None" = None  # the data of the module whose tests run now
builds = 0  # how many times module data was built: the terminal summary reports it


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


def flushes_without_restoring(item: pytest.Item) -> bool:
    """A test that commits and then empties the database without restoring what the migrations
    put there: the next test that restores that snapshot then meets the content types
    post_migrate recreated under other ids (a unique violation on PostgreSQL)."""
    if not is_transactional(item):
        return False
    marker = item.get_closest_marker("django_db")
    return marker is None or not marker.kwargs.get("serialized_rollback")


def wanted(item: pytest.Item) -> tuple[str, ...]:
    """The shared objects a test uses (through the registered fixtures), in registry order."""
    if is_transactional(item):
        return ()
    return tuple(name for name in _builders if name in item.fixturenames and _uses_registered(item, name))


def group_by_shared_data(items: list[pytest.Item]) -> None:
    """Within each module, runs the tests that use the same shared objects one after another
    (in file order otherwise), so that the module's data is built once per group."""
    modules: dict[object, int] = {}
    groups: dict[tuple, int] = {}
    for item in items:
        module = getattr(item, "module", None)
        modules.setdefault(module, len(modules))
        groups.setdefault((module, wanted(item)), len(groups))
    items.sort(
        key=lambda item: (
            modules[getattr(item, "module", None)],
            groups[(getattr(item, "module", None), wanted(item))],
        )
    )


def before_test(item: pytest.Item) -> None:
    """Called first for every test: before a test that commits, rolls back the module
    transactions still open; before a test that uses other shared objects than the module's
    data holds, rebuilds that data for it, so that no test sees rows it did not ask for."""
    global _current_item
    _current_item = item
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        if is_transactional(item):
            while _open:
                _open[-1].close()
            return
        data, needs = _module, wanted(item)
        in_module = data is not None and data.module is getattr(item, "module", None)
        if in_module and (data.names != needs or (needs and not data.open)):
            data.build(needs)


def _uses_registered(item: pytest.Item, name: str) -> bool:
    definitions = item._fixtureinfo.name2fixturedefs.get(name)
    if not definitions:
        return False
    func = definitions[-1].func
    return getattr(func, "__wrapped__", func) is _builders[name][1]


class ModuleData:
    """One module's transaction and the objects built inside it, by name."""

    def __init__(self, module) -> None:
        self.module = module
        self.names: tuple[str, ...] = ()
        self.values: dict[str, Any] = {}
        self.atomic = None

    @property
    def open(self) -> bool:
        return self.atomic is not None

    def build(self, names: tuple[str, ...]) -> None:
        """Rolls back what was built and builds `names` (nothing when empty) in a new
        transaction."""
        self.close()
        self.names, self.values = names, {}
        if not names:
            return
        self.atomic = transaction.atomic()
        self.atomic._from_testcase = True  # code under test may open durable blocks, as in TestCase
        self.atomic.__enter__()
        _open.append(self)
        global builds
        builds += 1
        try:
            for name in names:
                self.get(name)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.atomic is not None:
            atomic, self.atomic = self.atomic, None
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        if self in _open:
            _open.remove(self)

    def get(self, name: str) -> Any:
        if name not in self.values:
            builder, _fixture = _builders[name]
            self.values[name] = builder(self.get)
        return self.values[name]


@pytest.fixture(scope="module", autouse=True)
def _module_data(request, django_db_blocker):
    """The module's shared data, built for its first test; `before_test` rebuilds it when a
    later test uses other shared objects. None when no test of the module uses any."""
    module = request.module
    items = [item for item in request.session.items if getattr(item, "module", None) is module]
    if not any(wanted(item) for item in items):
        yield None
        return
    global _module
    request.getfixturevalue("django_db_setup")
    data = _module = ModuleData(module)
    first = _current_item if getattr(_current_item, "module", None) is module else None
    with django_db_blocker.unblock():
        data.build(wanted(first) if first is not None else ())
    yield data
    _module = None
    with django_db_blocker.unblock():
        data.close()


def shared(request: pytest.FixtureRequest, name: str) -> Any:
    """The test's own copy of the module's `name`; built afresh for a test that commits, or
    when the module's data does not hold it."""
    data = request.getfixturevalue("_module_data")
    if data is not None and data.open and name in data.values and not is_transactional(request.node):
        return copy.deepcopy(data.values[name])
    builder, _fixture = _builders[name]
    return builder(request.getfixturevalue)
