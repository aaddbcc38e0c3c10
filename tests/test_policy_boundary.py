"""Only the policy modules decide access from memberships and roles.

Every access question goes through one policy per kind of object (`<app>/policies.py`), built on
the office policy and the jurisdiction sync (`portal/people/jurisdiction.py`) and the role table
(`portal/people/roles.py`). This test reads the app packages' syntax trees and lists every other
place that reads memberships or roles:

- `.memberships` (a user's or an office's membership rows) and `Membership.objects`;
- a `memberships__...` lookup in a query;
- `ROLE_RULES` (the role table itself);
- a `Role.<X>` compared with a role, or given to a `role` lookup (`role=Role.X`,
  `role__in=[Role.X, ...]`, `memberships__role=...`).

A place that is not an access decision (display, demo data, the membership services that create
and end the rows) is listed in `ALLOWED` with the reason. `PENDING_WORK_SIDE` holds, for now, the
applications, certificates and ratings side's places, which move into their own policies on
that side; empty it once they have.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "api", "approvals", "ledger", "cms", "services_catalog", "certificates", "ratings")
POLICY_MODULES = frozenset({"policies.py", "jurisdiction.py", "roles.py"})

ALLOWED: dict[tuple[str, str], str] = {
    # (module path, enclosing function or class.function): why it is not an access decision.
    ("portal/people/services.py", "membership_create"): (
        "the service that creates membership rows: it looks for the current identical row so a "
        "repeated grant returns it (the permission check is membership_policy.grant_refusal)"
    ),
    ("portal/people/services.py", "membership_end"): (
        "the service that ends membership rows: it locks the row it ends (the permission check is "
        "membership_policy.grant_refusal)"
    ),
    ("portal/people/selectors.py", "staff_visible_to"): (
        "prefetches each account's current memberships to show them in lists; the rows come from staff_policy"
    ),
    ("portal/people/selectors.py", "current_memberships"): "a user's own roles, shown on their pages",
    ("portal/people/two_factor.py", "user_must_enrol"): (
        "which accounts must enrol an authenticator app at login (a login rule, not access to an object)"
    ),
    ("portal/offices/selectors.py", "_station_and_centre"): (
        "the public 'find my assistant' page shows each station's assistants (display)"
    ),
    ("portal/demo/ledger.py", "*"): "demo data",
    ("portal/demo/applications.py", "*"): "demo data",
    ("portal/demo/loader.py", "*"): "demo data",
}

# TEMPORARY: the work side's leftovers (applications, certificates, ratings, the publishing
# workflow). They move into approvals/policies.py and friends on that side; once merged, delete
# each entry (and then this section).
PENDING_WORK_SIDE: dict[tuple[str, str], str] = {}


def _is_role_constant(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"


def _mentions_role_constant(node: ast.AST) -> bool:
    return any(_is_role_constant(child) for child in ast.walk(node))


def _is_role_lookup(name: str | None) -> bool:
    return bool(name) and (name == "role" or name.startswith("role__") or "__role" in name)


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[int, str, str]] = []

    def _add(self, node: ast.AST, what: str) -> None:
        self.found.append((node.lineno, ".".join(self.scope) or "<module>", what))

    def _visit_scope(self, node) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr == "memberships":
            self._add(node, ".memberships")
        if node.attr == "objects" and isinstance(node.value, ast.Name) and node.value.id == "Membership":
            self._add(node, "Membership.objects")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "ROLE_RULES":
            self._add(node, "ROLE_RULES")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if any(alias.name == "ROLE_RULES" for alias in node.names):
            self._add(node, "ROLE_RULES")

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg and node.arg.startswith("memberships__"):
            self._add(node.value, f"{node.arg}=")
        elif _is_role_lookup(node.arg) and _mentions_role_constant(node.value):
            self._add(node.value, f"{node.arg}=Role.…")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        if any(_is_role_constant(o) or _mentions_role_constant(o) for o in operands) and any(
            isinstance(o, ast.Attribute) and o.attr == "role" for o in operands
        ):
            self._add(node, "role compared with Role.…")
        self.generic_visit(node)


def _modules():
    for package in PACKAGES:
        base = ROOT / package
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            if "migrations" in path.parts or path.name in POLICY_MODULES:
                continue
            yield path


def membership_reads() -> list[tuple[str, int, str, str]]:
    """Every (module, line, function, what) that reads memberships or roles outside a policy."""
    reads = []
    for path in _modules():
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        relative = path.relative_to(ROOT).as_posix()
        reads.extend((relative, line, function, what) for line, function, what in finder.found)
    return reads


def _allowed(module: str, function: str, entries: dict) -> bool:
    return (module, function) in entries or (module, "*") in entries


def test_only_policies_read_memberships_to_decide_access():
    allowed = {**ALLOWED, **PENDING_WORK_SIDE}
    offenders = [read for read in membership_reads() if not _allowed(read[0], read[2], allowed)]
    assert not offenders, "Access decided outside a policy module (ask the object's policy):\n" + "\n".join(
        f"  {module}:{line} in {function}: {what}" for module, line, function, what in offenders
    )


def test_every_allowance_is_still_needed():
    """An entry whose place no longer reads memberships goes, so the list stays short."""
    reads = {(module, function) for module, _line, function, _what in membership_reads()}
    modules = {module for module, _function in reads}
    stale = [
        key
        for key in {**ALLOWED, **PENDING_WORK_SIDE}
        if (key[1] == "*" and key[0] not in modules and (ROOT / key[0]).exists())
        or (key[1] != "*" and key not in reads)
    ]
    assert not stale, f"Allowances no longer needed: {stale}"


@pytest.mark.parametrize(
    "source, expected",
    [
        ("user.memberships.current()", ".memberships"),
        ("Membership.objects.filter(user=user)", "Membership.objects"),
        ("User.objects.filter(memberships__office=office)", "memberships__office="),
        ("qs.filter(role__in=[Role.EDITOR])", "role__in=Role.…"),
        ("membership.role == Role.ADMINISTRATOR", "role compared with Role.…"),
        ("rule = ROLE_RULES[role]", "ROLE_RULES"),
    ],
)
def test_the_finder_sees_each_kind_of_read(source, expected):
    finder = _Finder()
    finder.visit(ast.parse(source))
    assert [what for _line, _function, what in finder.found] == [expected]


def test_the_finder_leaves_labels_alone():
    finder = _Finder()
    finder.visit(ast.parse('label = Role.EDITOR.label\nchoices = Role.choices\nform.fields["role"] = 1'))
    assert finder.found == []
