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


def step_blocker(sender, *, application: Application, act: str, **kwargs) -> str | None:
    """送达 needs a certificate in force to hand over; 准予 needs every value the certificate
    prints (an office field such as 月保障金额 entered by the clerk, 核定)."""
    if act == Act.HAND_OVER:
        return services.hand_over_blocker(application)
    if act == Act.APPROVE:
        return services.approval_blocker(application)
    return None


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
    step_blockers_asked.connect(step_blocker, dispatch_uid="certificates.step_blocker")
    in_force_asked.connect(in_force_condition, dispatch_uid="certificates.in_force_condition")
