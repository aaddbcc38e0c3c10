"""How certificates joins an application's steps (`approvals.extensions`): applications sit below
certificates and do not import them, so certificates listens instead. Connected in
`CertificatesConfig.ready`."""

from approvals.extensions import application_approved, step_blockers_asked
from approvals.models import Application
from approvals.states import Act

from . import services


def issue_on_approval(sender, *, application: Application, actor, who, **kwargs) -> None:
    """出证: an approval of an item that results in a certificate issues it in the approving
    transaction, so there is never an approval without its paper."""
    if application.item.certificate_name:
        services.certificate_issue(actor=actor, application=application, who=who)


def hand_over_blocker(sender, *, application: Application, act: str, **kwargs) -> str | None:
    return services.hand_over_blocker(application) if act == Act.HAND_OVER else None


def connect() -> None:
    application_approved.connect(issue_on_approval, dispatch_uid="certificates.issue_on_approval")
    step_blockers_asked.connect(hand_over_blocker, dispatch_uid="certificates.hand_over_blocker")
