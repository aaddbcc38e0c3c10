"""Read-side questions about people: which offices a user may act on, which staff they see."""

from django.db.models import Prefetch, QuerySet

from portal.offices.models import Office
from portal.places.models import Region

from .jurisdiction import office_policy, regions_managed_by
from .models import Membership, Resident, User
from .roles import Action


def offices_user_may_file_for(user: User) -> QuerySet[Office]:
    """Stations whose villagers this user may file applications for (代办)."""
    return office_policy.instances_user_has_permission_for(user, Action.FILE)


def offices_user_may_handle(user: User) -> QuerySet[Office]:
    """Centres and departments whose applications this user may accept and decide."""
    return office_policy.instances_user_has_permission_for(user, Action.HANDLE)


def offices_user_may_supervise(user: User) -> QuerySet[Office]:
    return office_policy.instances_user_has_permission_for(user, Action.SUPERVISE)


def offices_user_may_view(user: User) -> QuerySet[Office]:
    """Offices whose work this user may see."""
    return office_policy.instances_user_has_permission_for(user, Action.VIEW)


def offices_user_manages(user: User) -> QuerySet[Office]:
    return office_policy.instances_user_has_permission_for(user, Action.MANAGE)


def memberships_visible_to(user: User) -> QuerySet[Membership]:
    """Memberships in offices the user administers, joined for a list page."""
    return Membership.objects.filter(office__in=offices_user_manages(user)).select_related(
        "user", "office__region"
    )


def staff_visible_to(user: User) -> QuerySet[User]:
    """Accounts with a current membership in an office the user administers."""
    if user.is_superuser:
        queryset = User.objects.all()
    else:
        queryset = User.objects.filter(
            memberships__ended_at__isnull=True, memberships__office__in=offices_user_manages(user)
        ).distinct()
    return queryset.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.current().select_related("office"),
            to_attr="current_memberships",
        )
    )


def residents_visible_to(user: User) -> QuerySet[Resident]:
    """Residents of villages within the user's jurisdiction (filing or administration)."""
    if user.is_superuser:
        return Resident.objects.select_related("village__parent")
    villages = Region.objects.filter(
        offices__in=office_policy.instances_user_has_any_permission_for(user, [Action.FILE, Action.MANAGE])
    ).values("code")
    return Resident.objects.filter(village__code__in=villages).select_related("village__parent")


def current_memberships(user: User) -> QuerySet[Membership]:
    return user.memberships.current().select_related("office__region")


__all__ = [
    "current_memberships",
    "memberships_visible_to",
    "offices_user_manages",
    "offices_user_may_file_for",
    "offices_user_may_handle",
    "offices_user_may_supervise",
    "offices_user_may_view",
    "regions_managed_by",
    "residents_visible_to",
    "staff_visible_to",
]
