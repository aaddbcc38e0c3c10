"""The policies for ratings, rectifications and appeals: who sees them, who acts, who is told.

Seeing follows the application: whoever may see it (`approvals.policies.visibility_condition`)
sees its rating, the rectifications that followed and the appeal, and nobody else. Acting:

- RATE: the filing station's assistant records the villager's rating for them (the villager's
  own rating needs no login: the tracking page checks their proof);
- ANSWER (整改反馈, the rectification) and APPEAL: whoever answers for the rated office
  (`approvals.policies.answering_policy`: its supervisor, a department's officers);
- REVISIT (回访): they, or any clerk of that office;
- DECIDE (an appeal) and SET_RULES: a county administrator, for the offices they administer.

Every answer comes from `portal.people.jurisdiction` (`office_policy`,
`user_is_county_administrator`); nothing here reads memberships or roles.
"""

from django.db.models import Q, QuerySet

from approvals.models import Application
from approvals.policies import FILE, answering_policy, application_policy, visibility_condition
from approvals.policies import VIEW as APPLICATION_VIEW
from portal.offices.models import Office
from portal.people.jurisdiction import office_policy, user_is_county_administrator
from portal.people.models import User
from portal.people.roles import Action

from .models import Rating, RatingAppeal, Rectification

VIEW = "view"
RATE = "rate"
ANSWER = "answer"
REVISIT = "revisit"
APPEAL = "appeal"
DECIDE = "decide"
SET_RULES = "set_rules"
SEE_FIGURES = "see_figures"


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class RatingPermissionPolicy:
    """Ratings: VIEW, RATE (for the villager), APPEAL; the county's rules (SET_RULES) and the
    satisfaction figures (SEE_FIGURES) are asked here too."""

    model = Rating

    def user_has_permission_for_instance(self, user: User | None, action: str, instance) -> bool:
        """`instance` is a rating, or for RATE the application to be rated (it may have none yet)."""
        if action == VIEW:
            return (
                _active(user)
                and self.instances_user_has_permission_for(user, VIEW).filter(pk=instance.pk).exists()
            )
        if action == RATE:
            application = instance if isinstance(instance, Application) else instance.application
            return application_policy.user_has_permission_for_instance(user, FILE, application)
        if action == APPEAL:
            return answering_policy.user_has_permission_for_instance(user, instance.office)
        raise ValueError(f"unknown rating action {action!r}")

    def instances_user_has_permission_for(self, user: User | None, action: str) -> QuerySet[Rating]:
        """The ratings `user` may see (VIEW) or appeal (APPEAL: those of offices they answer for)."""
        visible = Rating.objects.filter(visibility_condition(user, "application__", eager=True))
        if action == VIEW:
            return visible
        if action == APPEAL:
            return visible.filter(office__in=answering_policy.instances_user_has_permission_for(user))
        raise ValueError(f"unknown rating action {action!r}")

    def user_has_permission(self, user: User | None, action: str) -> bool:
        """SET_RULES: the county administrator sets the rectification period and change window."""
        if action == SET_RULES:
            return user_is_county_administrator(user)
        if action == SEE_FIGURES:
            return self.offices_with_figures_for(user).exists()
        raise ValueError(f"unknown rating action {action!r}")

    def offices_with_figures_for(self, user: User | None) -> QuerySet[Office]:
        """Offices whose satisfaction figures `user` sees: those they answer for (supervised
        centres, a department's own) and those they administer."""
        managed = office_policy.instances_user_has_permission_for(user, Action.MANAGE)
        return Office.objects.filter(
            Q(pk__in=answering_policy.instances_user_has_permission_for(user)) | Q(pk__in=managed)
        )


class RectificationPermissionPolicy:
    """Rectifications of bad ratings: VIEW, ANSWER, REVISIT."""

    model = Rectification

    def capacity_for(self, user: User | None, action: str, rectification: Rectification):
        """The capacity in which `user` answers the rectification (ANSWER), or None."""
        if action != ANSWER:
            raise ValueError(f"no capacity for {action!r}")
        return answering_policy.capacity_for(user, rectification.office)

    def user_has_permission_for_instance(self, user: User | None, action: str, rectification) -> bool:
        if action == VIEW:
            return (
                _active(user)
                and self.instances_user_has_permission_for(user, VIEW).filter(pk=rectification.pk).exists()
            )
        if action == ANSWER:
            return answering_policy.user_has_permission_for_instance(user, rectification.office)
        if action == REVISIT:
            return answering_policy.user_has_permission_for_instance(user, rectification.office) or bool(
                user
                and office_policy.user_has_permission_for_instance(user, Action.HANDLE, rectification.office)
            )
        raise ValueError(f"unknown rectification action {action!r}")

    def instances_user_has_permission_for(self, user: User | None, action: str) -> QuerySet[Rectification]:
        """The rectifications `user` may see (VIEW) or answer (ANSWER)."""
        visible = Rectification.objects.filter(
            visibility_condition(user, "rating__application__", eager=True)
        )
        if action == VIEW:
            return visible
        if action == ANSWER:
            return visible.filter(office__in=answering_policy.instances_user_has_permission_for(user))
        raise ValueError(f"unknown rectification action {action!r}")

    def user_has_permission(self, user: User | None, action: str) -> bool:
        """May `user` open the rectifications list at all (VIEW: they see some application's
        work, whose ratings hang off it) or answer some (ANSWER)?"""
        if action == VIEW:
            return application_policy.user_has_permission(user, APPLICATION_VIEW)
        if action == ANSWER:
            return _active(user) and answering_policy.instances_user_has_permission_for(user).exists()
        raise ValueError(f"unknown rectification action {action!r}")

    def users_with_permission_for_instance(self, action: str, rectification: Rectification) -> QuerySet[User]:
        """Who answers the rectification: who is told that it is open, and that it is late."""
        if action != ANSWER:
            raise ValueError(f"unknown rectification action {action!r}")
        return answering_policy.users_with_permission_for_instance(rectification.office)


class AppealPermissionPolicy:
    """Appeals against bad ratings: VIEW (whoever sees the rating, and the deciders), DECIDE."""

    model = RatingAppeal

    def user_has_permission_for_instance(self, user: User | None, action: str, appeal: RatingAppeal) -> bool:
        if action == DECIDE:
            return bool(
                user is not None
                and user_is_county_administrator(user)
                and office_policy.user_has_permission_for_instance(user, Action.MANAGE, appeal.office)
            )
        if action == VIEW:
            return (
                _active(user)
                and self.instances_user_has_permission_for(user, VIEW).filter(pk=appeal.pk).exists()
            )
        raise ValueError(f"unknown appeal action {action!r}")

    def instances_user_has_permission_for(self, user: User | None, action: str) -> QuerySet[RatingAppeal]:
        """DECIDE: the appeals of every office a county administrator administers (nobody
        else's list); VIEW: those, and the appeals of ratings the user sees."""
        if action == DECIDE:
            if not user_is_county_administrator(user):
                return RatingAppeal.objects.none()
            managed = office_policy.instances_user_has_permission_for(user, Action.MANAGE)
            return RatingAppeal.objects.filter(office__in=managed)
        if action == VIEW:
            decidable = self.instances_user_has_permission_for(user, DECIDE).values("pk")
            visible = rating_policy.instances_user_has_permission_for(user, VIEW)
            return RatingAppeal.objects.filter(Q(pk__in=decidable) | Q(rating__in=visible))
        raise ValueError(f"unknown appeal action {action!r}")

    def user_has_permission(self, user: User | None, action: str) -> bool:
        """DECIDE: may `user` open the appeals list at all (a county administrator)?"""
        if action == DECIDE:
            return user_is_county_administrator(user)
        raise ValueError(f"unknown appeal action {action!r}")


rating_policy = RatingPermissionPolicy()
rectification_policy = RectificationPermissionPolicy()
appeal_policy = AppealPermissionPolicy()

__all__ = [
    "ANSWER",
    "APPEAL",
    "DECIDE",
    "RATE",
    "REVISIT",
    "SEE_FIGURES",
    "SET_RULES",
    "VIEW",
    "appeal_policy",
    "rating_policy",
    "rectification_policy",
]
