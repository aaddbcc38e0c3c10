"""What certificates put on the staff home (`portal.web.desk`): 打印证照 for whoever may print
(`certificate_policy` PRINT), with the number issued today. Connected in `CertificatesConfig.ready`."""

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.web.desk import OUTPUT, DeskCount, DeskLink, staff_desk_asked

from . import policies, selectors
from .policies import certificate_policy


def desk_links(sender, *, user, **kwargs) -> list[DeskLink]:
    if not certificate_policy.user_has_permission(user, policies.PRINT):
        return []
    url = reverse("certificates:print")
    today = selectors.certificates_issued_today_by(user).count()
    return [
        DeskLink(
            title=_("Print certificates"),
            url=url,
            order=OUTPUT,
            counts=(DeskCount(_("Issued today (今日出证)"), today, f"{url}?days=1"),),
        )
    ]


def connect() -> None:
    staff_desk_asked.connect(desk_links, dispatch_uid="certificates.desk_links")
