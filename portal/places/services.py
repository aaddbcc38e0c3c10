"""State changes for regions. Every field is a permission question, not only which row.

A region's level and code decide jurisdictions: an administrator's reach is the code prefix of
their office's region, and a county administrator is one whose department sits on the root of
the tree. So an administrator below the county may create and change only regions strictly
below their own (a township administrator: the villages of their township), each exactly one
level below its parent and with a code inside the parent's prefix; the region their own office
sits on keeps its level, code and parent (only a county administrator changes those of a
township); and the county itself, its level and its code are a county administrator's alone.
A new county (a new root) is an operator's job.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.errors import DomainError, NotPermitted
from portal.people.jurisdiction import user_is_county_administrator
from portal.people.models import Membership
from portal.people.roles import Role

from .models import Region


def administered_regions(actor) -> list[Region]:
    """The regions of the actor's current administrator memberships (their jurisdiction roots)."""
    return [
        membership.office.region
        for membership in Membership.objects.current()
        .filter(user=actor, role=Role.ADMINISTRATOR)
        .select_related("office__region")
    ]


def region_is_strictly_below(actor, region: Region) -> bool:
    """Does `region` lie strictly below one of the actor's jurisdiction roots?"""
    return any(root.contains(region) and root.pk != region.pk for root in administered_regions(actor))


def _require_may_place(actor, region: Region) -> None:
    """`region`, as it would be saved, hangs below one of the actor's jurisdiction roots (or
    below a region inside one). Its level against its parent's and its code against the
    parent's prefix are the model's rules (`Region.clean`), checked when it is saved."""
    if region.parent_id is None:
        raise NotPermitted(_("A region without a parent is a county; counties are set up by the operator."))
    parent = region.parent
    roots = administered_regions(actor)
    if not any(root.contains(parent) for root in roots):
        raise NotPermitted(_("You may not manage regions in %(region)s.") % {"region": parent})


@transaction.atomic
def region_save(*, actor, region: Region) -> Region:
    """Create or change a region within the actor's jurisdiction (actor=None: an operator's job).

    Raises NotPermitted when a field reaches beyond the actor's jurisdiction and DomainError
    (ValidationError for the code's own rules) when the tree would not be consistent."""
    before = None
    if region.pk is not None:
        before = Region.objects.select_for_update().filter(pk=region.pk).first()
    if actor is not None and not actor.is_superuser:
        county_administrator = user_is_county_administrator(actor)
        if before is None:
            _require_may_place(actor, region)
        else:
            structural = (before.level, before.code, before.parent_id) != (
                region.level,
                region.code,
                region.parent_id,
            )
            if region_is_strictly_below(actor, before):
                if structural:
                    _require_may_place(actor, region)
            elif any(root.pk == before.pk for root in administered_regions(actor)):
                # The actor's own region: its name only, unless they administer the county and
                # this is the county (whose level and parent the model's rules keep fixed).
                if structural and not (county_administrator and before.parent_id is None):
                    raise NotPermitted(
                        _(
                            "Only an administrator above %(region)s may change its level, code or parent region."
                        )
                        % {"region": before}
                    )
            else:
                raise NotPermitted(_("You may not manage regions in %(region)s.") % {"region": before})
    if before is not None and before.code != region.code and before.children.exists():
        raise DomainError(
            _("%(region)s has regions below it whose codes start with its code; it keeps its code.")
            % {"region": before}
        )
    if before is not None and before.level != region.level and before.children.exists():
        raise DomainError(_("%(region)s has regions below it; it keeps its level.") % {"region": before})
    region.full_clean()
    region.save()
    return region
