"""The policies for ratings, rectifications and appeals: who sees them, who acts, who is told.

Seeing follows the application: whoever may see it (`approvals.policies.visibility_condition`)
sees its rating, the rectifications that followed and the appeal, and nobody else. Acting:

- RATE: the filing station's assistant records the villager's rating for them (the villager's
  own rating needs no login: the tracking page checks their proof);
- ANSWER (整改反馈, the rectification) and APPEAL: whoever answers for the rated office
  (`approvals.policies.answering_policy`: its supervisor, a department's officers);
- REVISIT (回访): someone other than the rated office: the staff of the county office the county
  names for it (`QualitySettings.revisit_office`, the 政务服务 office: its officers and its
  administrators, the county administrator among them), or, where none is named, a
  county administrator; never anyone who handles or answers for the rated office's work, so the
  office does not mark its own homework;
- DECIDE (an appeal) and SET_RULES: a county administrator, for the offices they administer.

Every answer comes from `portal.people.jurisdiction` (`office_policy`,
`user_is_county_administrator`); nothing here reads memberships or roles.
"""

from django.db.models import Q, QuerySet

from approvals.models import Application
from approvals.policies import FILE, answering_policy, application_policy, visibility_condition
from approvals.policies import VIEW as APPLICATION_VIEW
from portal.offices.models import Office, OfficeKind
from portal.people.jurisdiction import office_policy, user_is_county_administrator
from portal.people.models import User
from portal.people.roles import Action

from .models import QualitySettings, Rating, RatingAppeal, Rectification

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

    def revisit_offices_for(self, user: User | None) -> QuerySet[Office]:
        """The offices a county administrator may name to revisit villagers (回访): active county
        departments they administer."""
        if not user_is_county_administrator(user):
            return Office.objects.none()
        managed = office_policy.instances_user_has_permission_for(user, Action.MANAGE)
        return managed.filter(kind=OfficeKind.DEPARTMENT, is_active=True).order_by("name")

    def may_name_revisit_office(self, user: User | None, office: Office) -> bool:
        return self.revisit_offices_for(user).filter(pk=office.pk).exists()

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
            return (
                _active(user)
                and self.instances_user_has_permission_for(user, REVISIT).filter(pk=rectification.pk).exists()
            )
        raise ValueError(f"unknown rectification action {action!r}")

    def revisit_office(self) -> Office | None:
        """The county office whose staff call villagers back (回访), if the county named one."""
        office = QualitySettings.current().revisit_office
        return office if office is not None and office.is_active else None

    def _works_at(self, user: User | None, office: Office) -> bool:
        """Does `user` work at the revisit office: handle its work (its officers) or administer
        it (its administrators, the county administrator among them)?"""
        return office_policy.user_has_permission_for_instance(
            user, Action.HANDLE, office
        ) or office_policy.user_has_permission_for_instance(user, Action.MANAGE, office)

    def _revisitable(self, user: User | None) -> QuerySet[Rectification]:
        """The rectifications `user` may record the revisit of, in any state (the step's own
        table says when): the staff of the county's revisit office (its officers and
        administrators), for the county's offices, or
        a county administrator where no office is named, for the offices they administer; minus,
        always, the offices whose work the user handles or answers for."""
        if not _active(user):
            return Rectification.objects.none()
        office = self.revisit_office()
        if office is not None and self._works_at(user, office):
            scope = Rectification.objects.filter(office__region__code__startswith=office.region.prefix)
        elif office is None and user_is_county_administrator(user):
            managed = office_policy.instances_user_has_permission_for(user, Action.MANAGE)
            scope = Rectification.objects.filter(office__in=managed)
        else:
            return Rectification.objects.none()
        own = office_policy.instances_user_has_permission_for(user, Action.HANDLE)
        answered = answering_policy.instances_user_has_permission_for(user)
        return scope.exclude(office__in=own).exclude(office__in=answered)

    def instances_user_has_permission_for(self, user: User | None, action: str) -> QuerySet[Rectification]:
        """The rectifications `user` may see (VIEW: those of applications they see, and those they
        revisit), answer (ANSWER) or revisit (REVISIT)."""
        if action == REVISIT:
            return self._revisitable(user)
        visible = Rectification.objects.filter(
            visibility_condition(user, "rating__application__", eager=True)
        )
        if action == VIEW:
            revisitable = self._revisitable(user)
            if revisitable.query.is_empty():
                return visible
            return Rectification.objects.filter(
                Q(pk__in=visible.values("pk")) | Q(pk__in=revisitable.values("pk"))
            )
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
        if action == REVISIT:
            return self._revisitable(user).exists()
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
