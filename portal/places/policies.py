"""Who may see, create and change regions, and which of a region's fields each person may set.

A region's level and code decide jurisdictions: an administrator's reach is the code prefix of
their office's region, and a county administrator is one whose department sits on the root of
the tree. So an administrator below the county may create and change only regions strictly
below their own (a township administrator: the villages of their township), each exactly one
level below its parent and with a code inside the parent's prefix; the region their own office
sits on keeps its level, code and parent (only a county administrator changes those of a
township); and the county itself, its level and its code are a county administrator's alone.
A new county (a new root) is an operator's job.

Built on `portal.people.jurisdiction` (`regions_managed_by`, `administered_regions`,
`user_is_county_administrator`). The back office's region viewset takes `region_policy` as its
`permission_policy`, `RegionForm` asks `fields_user_may_not_change` and `levels_user_may_create`,
and `places.services.region_save` asks `refusal`.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.errors import required
from portal.people.jurisdiction import administered_regions, regions_managed_by, user_is_county_administrator
from portal.people.policies import JurisdictionPolicy

from .models import Region, RegionLevel, Remedies

ADD = "add"
CHANGE = "change"
VIEW = "view"

LEVEL_DEPTH = {RegionLevel.COUNTY: 0, RegionLevel.TOWNSHIP: 1, RegionLevel.VILLAGE: 2}
STRUCTURAL_FIELDS = ("level", "code", "parent")
"""What an administrator below the county may not change on their own region."""


class RegionPolicy(JurisdictionPolicy):
    """Regions: an administrator sees and edits the subtree of their own region."""

    def scoped_queryset(self, user):
        """The subtree of each of the user's administrator memberships' regions."""
        return regions_managed_by(user).select_related("parent")

    def roots_of(self, user) -> list[Region]:
        """The regions of the user's administrator memberships (their jurisdiction roots)."""
        return administered_regions(user)

    def region_is_strictly_below(self, user, region: Region) -> bool:
        """Does `region` lie strictly below one of the user's jurisdiction roots?"""
        return any(root.contains(region) and root.pk != region.pk for root in self.roots_of(user))

    def parents_user_may_choose(self, user) -> QuerySet[Region]:
        return regions_managed_by(user)

    # -- field-level questions -------------------------------------------------------------------

    def fields_user_may_not_change(self, user, instance: Region) -> list[str]:
        """The fields of `instance` shown fixed to `user`: on the region their own office sits
        on, its level and parent, and its code too unless they administer the county and this is
        the county."""
        if user is None or user.is_superuser or instance.pk is None:
            return []
        if not any(root.pk == instance.pk for root in self.roots_of(user)):
            return []
        fixed = ["level", "parent"]
        if not (user_is_county_administrator(user) and instance.parent_id is None):
            fixed.append("code")
        return fixed

    def levels_user_may_create(self, user) -> list[str]:
        """The levels strictly below the user's highest jurisdiction root (every level for a
        superuser)."""
        if user is None or user.is_superuser:
            return list(LEVEL_DEPTH)
        top = min(
            (LEVEL_DEPTH[RegionLevel(root.level)] for root in self.roots_of(user)), default=len(LEVEL_DEPTH)
        )
        return [level for level, depth in LEVEL_DEPTH.items() if depth > top]

    def placing_refusal(self, user, region: Region) -> str | None:
        """Why `region`, as it would be saved, may not hang where it does: it must hang below one
        of the user's jurisdiction roots (or below a region inside one). Its level against its
        parent's and its code against the parent's prefix are the model's rules
        (`Region.clean`), checked when it is saved."""
        if region.parent_id is None:
            return _("A region without a parent is a county; counties are set up by the operator.")
        parent = required(region.parent, "parent")
        if not any(root.contains(parent) for root in self.roots_of(user)):
            return _("You may not manage regions in %(region)s.") % {"region": parent}
        return None

    def refusal(self, user, region: Region, before: Region | None) -> str | None:
        """Why `user` may not save `region` (as changed from `before`, None for a new one), or
        None when they may. A user of None is an operator's job; superusers may do anything."""
        if user is None or user.is_superuser:
            return None
        if before is None:
            return self.placing_refusal(user, region)
        structural = (before.level, before.code, before.parent_id) != (
            region.level,
            region.code,
            region.parent_id,
        )
        if self.region_is_strictly_below(user, before):
            return self.placing_refusal(user, region) if structural else None
        if any(root.pk == before.pk for root in self.roots_of(user)):
            # The user's own region: its name only, unless they administer the county and this
            # is the county (whose level and parent the model's rules keep fixed).
            if structural and not (user_is_county_administrator(user) and before.parent_id is None):
                return _(
                    "Only an administrator above %(region)s may change its level, code or parent region."
                ) % {"region": before}
            return None
        return _("You may not manage regions in %(region)s.") % {"region": before}


region_policy = RegionPolicy(Region)


class RemediesPolicy(JurisdictionPolicy):
    """The county's remedies (救济途径) printed on every refusal: a county administrator's, for
    their own county only (a township may not choose where its own decisions are challenged)."""

    def counties_user_may_configure(self, user) -> QuerySet[Region]:
        """The counties whose remedies `user` may set: those of their county administrator
        memberships (every county for a superuser)."""
        if user is None or not user_is_county_administrator(user):
            return Region.objects.none()
        return regions_managed_by(user).filter(level=RegionLevel.COUNTY, parent__isnull=True)

    def scoped_queryset(self, user):
        return Remedies.objects.filter(county__in=self.counties_user_may_configure(user)).select_related(
            "county"
        )

    def user_may_add(self, user) -> bool:
        return self.counties_user_may_configure(user).exists()

    def refusal(self, user, remedies: Remedies) -> str | None:
        """Why `user` may not save `remedies`, or None (user=None: an operator's job)."""
        if user is None:
            return None
        if not self.counties_user_may_configure(user).filter(pk=remedies.county_id).exists():
            return _("Only an administrator of the county may set where its decisions are challenged.")
        return None


remedies_policy = RemediesPolicy(Remedies)

__all__ = [
    "ADD",
    "CHANGE",
    "LEVEL_DEPTH",
    "VIEW",
    "RegionPolicy",
    "RemediesPolicy",
    "region_policy",
    "remedies_policy",
]
