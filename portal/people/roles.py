"""What each role may do, and over which offices. The one table behind every permission.

A membership (user, office, role) grants the role's actions as django-guardian object
permissions on the offices in the role's scope:

- OWN: the membership's office only (an assistant's station, a clerk's centre);
- REGION: every office whose region lies within the membership office's region, so an
  administrator at a county department covers the whole county and one at a township centre
  covers that township's centre and village stations.
"""

from dataclasses import dataclass
from enum import Enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.offices.models import OfficeKind


class Role(models.TextChoices):
    VILLAGE_ASSISTANT = "village_assistant", _("Village assistant (村级事务助理)")
    TOWNSHIP_CLERK = "township_clerk", _("Township clerk (窗口工作人员)")
    CENTRE_SUPERVISOR = "centre_supervisor", _("Centre supervisor (中心负责人)")
    COUNTY_OFFICER = "county_officer", _("County department officer (县直部门)")
    EDITOR = "editor", _("Editor (编辑)")
    ADMINISTRATOR = "administrator", _("Administrator (管理员)")


class Action(models.TextChoices):
    """Object permissions on offices (codenames of `offices.Office` permissions)."""

    FILE = "file_application", _("file applications")
    HANDLE = "handle_application", _("handle applications")
    SUPERVISE = "supervise_office", _("supervise")
    VIEW = "view_office_work", _("view work")
    MANAGE = "manage_office", _("administer")
    EDIT_GUIDE = "edit_guide", _("edit the guide")


class Scope(Enum):
    OWN = "own"
    REGION = "region"


@dataclass(frozen=True)
class RoleRule:
    office_kinds: frozenset[str]
    actions: frozenset[str]
    scope: Scope


ROLE_RULES: dict[str, RoleRule] = {
    Role.VILLAGE_ASSISTANT: RoleRule(
        frozenset({OfficeKind.STATION}), frozenset({Action.FILE, Action.VIEW}), Scope.OWN
    ),
    Role.TOWNSHIP_CLERK: RoleRule(
        frozenset({OfficeKind.CENTRE}), frozenset({Action.HANDLE, Action.VIEW}), Scope.OWN
    ),
    Role.CENTRE_SUPERVISOR: RoleRule(
        frozenset({OfficeKind.CENTRE}),
        frozenset({Action.HANDLE, Action.SUPERVISE, Action.VIEW}),
        Scope.OWN,
    ),
    Role.COUNTY_OFFICER: RoleRule(
        frozenset({OfficeKind.DEPARTMENT}), frozenset({Action.HANDLE, Action.VIEW}), Scope.OWN
    ),
    Role.EDITOR: RoleRule(
        frozenset({OfficeKind.DEPARTMENT, OfficeKind.CENTRE}),
        frozenset({Action.EDIT_GUIDE}),
        Scope.REGION,
    ),
    Role.ADMINISTRATOR: RoleRule(
        frozenset({OfficeKind.DEPARTMENT, OfficeKind.CENTRE}),
        frozenset({Action.MANAGE, Action.VIEW}),
        Scope.REGION,
    ),
}

MANAGED_CODENAMES = frozenset(action.value for action in Action)

# Roles that only a county administrator (or an operator's command) grants or ends: they reach
# beyond one office's own work (a supervisor approves, an editor publishes to the county's public
# site with a second editor, an administrator grants roles). A township administrator grants
# the others, in the offices they manage, and never to themselves.
COUNTY_GRANTED_ROLES = frozenset({Role.CENTRE_SUPERVISOR, Role.EDITOR, Role.ADMINISTRATOR})


def office_kinds_for(role: str) -> frozenset[str] | None:
    """The kinds of office a role can belong to (None for an unknown role)."""
    rule = ROLE_RULES.get(role)
    return rule.office_kinds if rule is not None else None


def roles_grantable_by(*, county_administrator: bool) -> list[tuple[str, str]]:
    """The (value, label) role choices an administrator may grant."""
    return [
        (value, label)
        for value, label in Role.choices
        if county_administrator or value not in COUNTY_GRANTED_ROLES
    ]
