"""Who may see, create and change office records in the back office, and which of an office's
fields each person may set. (Who may act on an office's *work* is the office policy,
`portal.people.jurisdiction.office_policy`; this is about the office rows themselves.)

An administrator sees and edits the offices they manage. Below the county every field is
bounded too: an office is created in, moved to and changed in a region strictly below the
administrator's own (a township administrator: village stations); the office on their own
region (their township's centre) keeps its kind, region and active flag, only its name and
contact details change. A county administrator (or an operator) may change any office of the
county.

The back office's office viewset takes `office_record_policy` as its `permission_policy`,
`OfficeForm` asks the field-level questions, and `offices.services.office_save` asks `refusal`.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.people.jurisdiction import regions_managed_by, user_is_county_administrator
from portal.people.policies import JurisdictionPolicy, offices_user_manages
from portal.places.models import Region
from portal.places.policies import region_policy

from .models import REGION_LEVEL_FOR_KIND, Office

ADD = "add"
CHANGE = "change"
VIEW = "view"

STRUCTURAL_FIELDS = ("kind", "region_id", "is_active")
"""What an administrator below the county may not change on the office of their own region."""
FIXED_FORM_FIELDS = ("kind", "region", "is_active")


def _unbounded(user) -> bool:
    """An operator's job (None), a superuser or a county administrator: every field is theirs."""
    return user is None or user.is_superuser or user_is_county_administrator(user)


class OfficeRecordPolicy(JurisdictionPolicy):
    """Office rows: the offices the user manages."""

    def scoped_queryset(self, user):
        return offices_user_manages(user).select_related("region")

    # -- field-level questions -------------------------------------------------------------------

    def regions_user_may_place_offices_in(self, user) -> QuerySet[Region]:
        """Where `user` may create or move an office: their whole jurisdiction for a county
        administrator, the regions strictly below their own for anyone else."""
        regions = regions_managed_by(user)
        if _unbounded(user):
            return regions
        return regions.exclude(pk__in=[region.pk for region in region_policy.roots_of(user)])

    def fields_user_may_not_change(self, user, instance: Office) -> list[str]:
        """The form fields of `instance` shown fixed to `user`: kind, region and active flag of
        the office on the user's own region (or anywhere not strictly below it)."""
        if _unbounded(user) or instance.pk is None:
            return []
        if region_policy.region_is_strictly_below(user, instance.region):
            return []
        return list(FIXED_FORM_FIELDS)

    def kinds_user_may_create(self, user) -> list[str]:
        """The kinds of office whose level of region `user` may place offices in (every kind
        for a county administrator)."""
        if _unbounded(user):
            return list(REGION_LEVEL_FOR_KIND)
        levels = set(self.regions_user_may_place_offices_in(user).values_list("level", flat=True).distinct())
        return [kind for kind, level in REGION_LEVEL_FOR_KIND.items() if level in levels]

    def _region_refusal(self, user, office: Office) -> str | None:
        if user is not None and not regions_managed_by(user).filter(pk=office.region_id).exists():
            return _("You may not manage offices in %(region)s.") % {"region": office.region}
        return None

    def refusal(self, user, office: Office, before: Office | None) -> str | None:
        """Why `user` may not save `office` (as changed from `before`, None for a new one), or
        None when they may (user=None: an operator's job)."""
        refusal = self._region_refusal(user, office)
        if refusal is None and before is not None:
            refusal = self._region_refusal(user, before)
        if refusal is not None or _unbounded(user):
            return refusal
        if before is not None and not region_policy.region_is_strictly_below(user, before.region):
            if before.region_id != office.region_id:
                return _("You may not move %(office)s.") % {"office": before}
            if any(getattr(before, name) != getattr(office, name) for name in STRUCTURAL_FIELDS):
                return _(
                    "Only a county administrator may change the kind or region of %(office)s, or close it."
                ) % {"office": before}
            return None
        if not region_policy.region_is_strictly_below(user, office.region):
            return _(
                "You may create and move offices only in the regions below your own: not in %(region)s."
            ) % {"region": office.region}
        return None


office_record_policy = OfficeRecordPolicy(Office)

__all__ = ["ADD", "CHANGE", "STRUCTURAL_FIELDS", "VIEW", "OfficeRecordPolicy", "office_record_policy"]
