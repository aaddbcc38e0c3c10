"""免提交: the rules of reusing what a villager handed in for an earlier application, which both
the page's offers (`selectors.reuse_offers`) and the steps (`services.material_reuse`,
`services.fact_reuse`) follow, so the page never offers what the step would refuse.

Kept apart from the selectors because the services ask them too, and the selectors import the
services (`step_blocker`). Permission comes from `approvals.policies` (VIEW), as everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db.models import Q, QuerySet

from portal.people.models import User
from services_catalog.item_forms.schema import FieldSpec, Kind

from . import item_data, policies
from .models import Application
from .policies import application_policy
from .states import State

_BRACKETED = re.compile(r"[(][^)]*[)]")


def material_key(name: str) -> str:
    """A material's name as two checklists may both write it: full-width forms folded, spaces and
    bracketed notes dropped ("户口簿（首页及本人页）" is 户口簿), so an ID card scan given for one
    item is found for another item's 居民身份证."""
    text = unicodedata.normalize("NFKC", name or "")  # （ ） become ( )
    return "".join(_BRACKETED.sub("", text).split()).casefold()


def reuse_sources_for(user: User | None, application: Application) -> QuerySet[Application]:
    """The applications whose materials and facts `application` may reuse: the same villager's
    other applications that `user` may see (the VIEW rule) in the same county, never someone
    else's draft (work in progress nobody handed in). None while the draft names no villager.
    A lazy queryset: a step asks it again for the one source it uses."""
    if application.resident_id is None:
        return Application.objects.none()
    county = application.village.code[:6]  # a village's code starts with its county's six digits
    return (
        application_policy.instances_user_has_permission_for(user, policies.VIEW)
        .filter(resident_id=application.resident_id, village__code__startswith=county)
        .exclude(pk=application.pk)
        .exclude(Q(state=State.DRAFT) & ~Q(filed_by=user))
    )


def _same_shape(a: FieldSpec, b: FieldSpec) -> bool:
    """Two fields whose values fit each other: the same kind, and for a group the same children."""
    if a.kind != b.kind:
        return False
    if a.kind != Kind.GROUP:
        return True
    return [(c.key, c.kind) for c in a.fields] == [(c.key, c.kind) for c in b.fields]


def fact_source_value(source: Application, spec: FieldSpec, data: dict[str, Any] | None = None) -> Any:
    """The full value (numbers unmasked) `source` holds for a field shaped like `spec` (same key
    and kind, not an office's 核定 field), or None. `data`: the source's `item_data.full_data`,
    when the caller already has it (it is decrypted once per source, not per field)."""
    source_spec = item_data.form_of(source).field(spec.key)
    if source_spec is None or source_spec.office_only or not _same_shape(source_spec, spec):
        return None
    value = (data if data is not None else item_data.full_data(source)).get(spec.key)
    return None if value in (None, "", [], {}) else value
