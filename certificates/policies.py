"""The policy for certificates (证照): who sees, downloads, prints, revokes and reissues them.

A certificate is reached only through its application: whoever may see the application sees
and downloads its certificates (VIEW, DOWNLOAD), and nobody else. Beyond that:

- PRINT (the print page, batches, reprints): certificates in force issued by an office whose
  applications the user handles (clerks, supervisors, county officers);
- REVOKE and REISSUE (a corrected certificate in the same step): whoever answers for the
  issuing office (`approvals.policies.answering_policy`: the centre's supervisor, a county
  department's officers);
- ISSUE happens inside the approving step (`approvals.services._decide`), under that step's
  check: no separate question.

Every answer comes from `approvals.policies` and `portal.people.jurisdiction.office_policy`;
nothing here reads memberships or roles.
"""

from django.db.models import QuerySet

from approvals.policies import VIEW as APPLICATION_VIEW
from approvals.policies import answering_policy, application_policy
from approvals.states import Who
from portal.people.jurisdiction import office_policy
from portal.people.models import User
from portal.people.roles import Action

from .models import Certificate

VIEW = "view"
DOWNLOAD = "download"
PRINT = "print"
REVOKE = "revoke"
REISSUE = "reissue"

ACTIONS = frozenset({VIEW, DOWNLOAD, PRINT, REVOKE, REISSUE})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class CertificatePermissionPolicy:
    """Answers every permission question about certificates."""

    model = Certificate

    def capacity_for(self, user: User | None, action: str, certificate: Certificate) -> Who | None:
        """The capacity in which `user` revokes or reissues `certificate` (recorded in the
        application's history), or None: may not."""
        if action not in (REVOKE, REISSUE):
            raise ValueError(f"no capacity for {action!r}")
        return answering_policy.capacity_for(user, certificate.issuing_office)

    def user_has_permission_for_instance(
        self, user: User | None, action: str, certificate: Certificate
    ) -> bool:
        """May `user` do `action` to `certificate`? A revoked certificate is revoked by nobody
        (the service says so in its own words, after `capacity_for`)."""
        if action in (REVOKE, REISSUE):
            return certificate.revoked_at is None and self.capacity_for(user, action, certificate) is not None
        if action not in ACTIONS:
            raise ValueError(f"unknown certificate action {action!r}")
        if not _active(user):
            return False
        return self.instances_user_has_permission_for(user, action).filter(pk=certificate.pk).exists()

    def instances_user_has_permission_for(self, user: User | None, action: str) -> QuerySet[Certificate]:
        """The certificates on which `user` may do `action` (a lazy queryset)."""
        visible = Certificate.objects.filter(
            application__in=application_policy.instances_user_has_permission_for(user, APPLICATION_VIEW)
        )
        if action in (VIEW, DOWNLOAD):
            return visible
        if action == PRINT:
            handled = office_policy.instances_user_has_permission_for(user, Action.HANDLE)
            return visible.filter(issuing_office__in=handled, revoked_at__isnull=True)
        if action in (REVOKE, REISSUE):
            answered = answering_policy.instances_user_has_permission_for(user)
            return visible.filter(issuing_office__in=answered, revoked_at__isnull=True)
        raise ValueError(f"unknown certificate action {action!r}")

    def user_has_permission(self, user: User | None, action: str) -> bool:
        """PRINT: may `user` open the print page at all (they handle some office's work)?"""
        if action == PRINT:
            return office_policy.instances_user_has_permission_for(user, Action.HANDLE).exists()
        if action in (REVOKE, REISSUE):
            return answering_policy.instances_user_has_permission_for(user).exists()
        if action in (VIEW, DOWNLOAD):
            return application_policy.user_has_permission(user, APPLICATION_VIEW)
        raise ValueError(f"unknown certificate action {action!r}")

    def users_with_permission_for_instance(self, action: str, certificate: Certificate) -> QuerySet[User]:
        """Who may revoke (REVOKE, REISSUE) or print (PRINT) `certificate` by their roles."""
        office = certificate.issuing_office
        if action in (REVOKE, REISSUE):
            return answering_policy.users_with_permission_for_instance(office)
        if action == PRINT:
            return office_policy.users_with_permission_for_instance(Action.HANDLE, office)
        raise ValueError(f"unknown certificate action {action!r}")


certificate_policy = CertificatePermissionPolicy()

__all__ = [
    "DOWNLOAD",
    "PRINT",
    "REISSUE",
    "REVOKE",
    "VIEW",
    "CertificatePermissionPolicy",
    "certificate_policy",
]
