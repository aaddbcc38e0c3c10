"""Who may see, create, change and revoke delegation records (委托/下放 of a department's service
items to township centres), and which departments, centres and items each person may choose.

County administrators only: a delegation moves where a whole county's applications go. Their
records are those of the departments they manage; the centres offered are the ones they manage.
Built on `portal.people.jurisdiction` (`user_is_county_administrator` and the offices the user
manages). The back office's delegation viewset takes `delegation_policy` as its
`permission_policy`, its form asks the choice questions, and `services_catalog.services` asks
`user_has_permission` before saving or revoking.
"""

from django.db.models import QuerySet

from portal.offices.models import Office, OfficeKind
from portal.people.jurisdiction import user_is_county_administrator
from portal.people.policies import JurisdictionPolicy, offices_user_manages

from .models import Delegation, ServiceItemPage

ADD = "add"
CHANGE = "change"
VIEW = "view"
REVOKE = CHANGE
"""Revoking is a change of the record (its end date and reason)."""


class DelegationPolicy(JurisdictionPolicy):
    """Delegation records: county administrators, for the departments they manage."""

    allowed_actions = frozenset({ADD, CHANGE, VIEW})

    def user_may_add(self, user) -> bool:
        """A county administrator may add the county's first record (the list can be empty)."""
        return user_is_county_administrator(user)

    def user_may_change_records(self, user) -> bool:
        """The services' question: may `user` save or revoke delegation records at all? (None:
        an operator's job.)"""
        return user is None or user_is_county_administrator(user)

    def scoped_queryset(self, user):
        if not user_is_county_administrator(user):
            return Delegation.objects.none()
        return Delegation.objects.filter(
            department__in=self.departments_user_may_choose(user)
        ).select_related("item", "department")

    # -- field-level questions -------------------------------------------------------------------

    def departments_user_may_choose(self, user) -> QuerySet[Office]:
        return offices_user_manages(user).filter(kind=OfficeKind.DEPARTMENT)

    def centres_user_may_choose(self, user) -> QuerySet[Office]:
        return offices_user_manages(user).filter(kind=OfficeKind.CENTRE).select_related("region")

    def items_user_may_choose(self, user) -> QuerySet[ServiceItemPage]:
        return ServiceItemPage.objects.filter(department__in=self.departments_user_may_choose(user)).order_by(
            "title"
        )


delegation_policy = DelegationPolicy(Delegation)

__all__ = ["ADD", "CHANGE", "REVOKE", "VIEW", "DelegationPolicy", "delegation_policy"]
