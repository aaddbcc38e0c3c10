"""How certificates joins an application's steps (`approvals.extensions`): applications sit below
certificates and do not import them, so certificates listens instead. Connected in
`CertificatesConfig.ready`."""

import datetime

from django.db.models import Exists, OuterRef, Q

from approvals.extensions import application_approved, in_force_asked, step_blockers_asked
from approvals.models import Application
from approvals.states import Act

from . import services
from .models import Certificate


def issue_on_approval(sender, *, application: Application, actor, who, **kwargs) -> None:
    """出证: an approval of an item that results in a certificate issues it in the approving
    transaction, so there is never an approval without its paper."""
    if application.item.certificate_name:
        services.certificate_issue(actor=actor, application=application, who=who)


def hand_over_blocker(sender, *, application: Application, act: str, **kwargs) -> str | None:
    return services.hand_over_blocker(application) if act == Act.HAND_OVER else None


def in_force_condition(sender, *, today: datetime.date, **kwargs) -> Exists:
    """An application is in force while one of its certificates is neither revoked nor past its
    `valid_until` (no end date: valid for good), the rule of `Certificate.status_on`."""
    return Exists(
        Certificate.objects.filter(application=OuterRef("pk"), revoked_at__isnull=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
    )


def connect() -> None:
    application_approved.connect(issue_on_approval, dispatch_uid="certificates.issue_on_approval")
    step_blockers_asked.connect(hand_over_blocker, dispatch_uid="certificates.hand_over_blocker")
    in_force_asked.connect(in_force_condition, dispatch_uid="certificates.in_force_condition")
