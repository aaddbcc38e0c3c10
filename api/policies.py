"""Who may create and change API clients and their keys, which offices and scopes they may
give a client, and what a client reaches.

- A client is seen and changed by the administrators of its office (`offices_user_manages`): a
  county administrator sees every client of the county, a township administrator those bound
  to offices of their township.
- Nobody gives a client more than they hold: its office must be one they manage, and each
  scope needs the scope's office action (`api.scopes.OFFICE_ACTION`) held on that office.
  Changing a client is asked of its office before and after the change.
- A client reaches the work of every office within its office's region
  (`jurisdiction.offices_within_region_of`), through its scopes only, and only while active.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.offices.models import Office, OfficeKind
from portal.offices.policies import office_record_policy
from portal.people.jurisdiction import office_policy, offices_within_region_of, user_is_county_administrator
from portal.people.models import Membership, User
from portal.people.policies import JurisdictionPolicy, offices_user_manages
from portal.people.roles import Role

from .models import ApiClient
from .scopes import ALL, OFFICE_ACTION, Scope


class ApiClientPolicy(JurisdictionPolicy):
    """API client rows: those bound to an office the user manages."""

    def scoped_queryset(self, user) -> QuerySet[ApiClient]:
        clients = ApiClient.objects.select_related("office__region")
        if user.is_superuser:
            return clients
        return clients.filter(office__in=offices_user_manages(user))

    def user_has_permission(self, user, action) -> bool:
        """The menu, the list page and the add button: whoever manages an office, even before
        their first client. Asked of the office records' policy, whose answer the back office
        has already cached for its own menu: no query of its own on every page."""
        if not self._active(user) or action not in self.allowed_actions:
            return False
        return user.is_superuser or office_record_policy.user_has_permission(user, "view")

    # -- field-level questions -------------------------------------------------------------------

    def offices_user_may_bind(self, user) -> QuerySet[Office]:
        """The offices `user` may bind a client to: the offices they manage."""
        return offices_user_manages(user).select_related("region").order_by("region__code", "kind", "name")

    def scopes_user_may_grant(self, user: User | None, office: Office) -> list[str]:
        """The scopes `user` may give a client bound to `office` (None: an operator's job)."""
        if user is None or user.is_superuser:
            return list(ALL)
        return [
            scope
            for scope in ALL
            if (action := OFFICE_ACTION[scope]) is None
            or office_policy.user_has_permission_for_instance(user, action, office)
        ]

    def refusal(self, user: User | None, client: ApiClient, before: ApiClient | None) -> str | None:
        """Why `user` may not save `client` (as changed from `before`, None for a new one), or
        None when they may (user=None: an operator's job, e.g. the demo)."""
        if user is None:
            return None
        managed = offices_user_manages(user)
        if before is not None and not (user.is_superuser or managed.filter(pk=before.office_id).exists()):
            return _("You may not manage the API clients of %(office)s.") % {"office": before.office}
        if not (user.is_superuser or managed.filter(pk=client.office_id).exists()):
            return _("You may not bind an API client to %(office)s.") % {"office": client.office}
        unknown = [scope for scope in client.scopes or [] if scope not in ALL]
        if unknown:
            return _("Unknown scope: %(scope)s.") % {"scope": unknown[0]}
        allowed = set(self.scopes_user_may_grant(user, client.office))
        labels = dict(Scope.choices)
        for scope in client.scopes or []:
            if scope not in allowed:
                return _("You may not give a client the scope %(scope)s at %(office)s.") % {
                    "scope": labels[scope],
                    "office": client.office,
                }
        return None


api_client_policy = ApiClientPolicy(ApiClient)


def offices_client_reaches(client: ApiClient) -> QuerySet[Office]:
    """The offices whose work `client` reaches: its office's region and everything below."""
    return offices_within_region_of(client.office)


def client_may(client: ApiClient | None, scope: str) -> bool:
    """May `client` use `scope` now? Active, and given the scope."""
    return client is not None and client.is_active and client.has_scope(scope)


# -- webhooks (api/webhook_services.py) ----------------------------------------------------------


def _county_administrator_memberships(client: ApiClient):
    """Current administrator memberships in a county department of the client's county."""
    return Membership.objects.current().filter(
        role=Role.ADMINISTRATOR,
        office__kind=OfficeKind.DEPARTMENT,
        office__region__code__startswith=client.office.region.code[:6],
    )


def may_manage_webhooks(user: User | None, client: ApiClient) -> bool:
    """Webhooks are set up by a county administrator of the county the client's office lies in
    (or a superuser): they decide which partner hears of the county's changes."""
    if not user_is_county_administrator(user) or user is None:
        return False
    return user.is_superuser or _county_administrator_memberships(client).filter(user=user).exists()


def county_administrators_of(client: ApiClient) -> QuerySet[User]:
    """Who is told when one of the client's webhooks is paused."""
    return User.objects.filter(
        is_active=True, pk__in=_county_administrator_memberships(client).values("user_id")
    ).order_by("pk")
