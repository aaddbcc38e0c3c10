"""What the certificate's paper says (证照), drawn from the certificate's own immutable fields (the
item's own lines too: `particulars`, copied at issue) and its application's number, in Simplified Chinese whatever the clerk's language. Its QR code opens
the public check; the check code lets a villager without a phone check it by hand."""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.printing.layout import Paper
from portal.printing.words import PAPER_LANGUAGE, chinese_date, day_text
from portal.web.site import site_url

from .models import Certificate
from .tokens import check_code


def _grouped(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


def verification_url(token: str) -> str:
    return site_url(reverse("verify:token", args=[token]))


def certificate_paper(certificate: Certificate) -> Paper:
    """The certificate from its own (immutable) fields and its application's number."""
    with translation.override(PAPER_LANGUAGE):
        serial = certificate.licence_number
        if certificate.valid_until:
            validity = _("%(start)s to %(end)s") % {
                "start": day_text(certificate.valid_from),
                "end": day_text(certificate.valid_until),
            }
        else:
            validity = _("From %(start)s, with no end date") % {"start": day_text(certificate.valid_from)}
        issuer = [certificate.issuer_name]
        if certificate.entrusting_name:
            issuer.append(_("Entrusted by %(department)s") % {"department": certificate.entrusting_name})
        return Paper(
            title=certificate.licence_type_name,
            subtitle=_("Serial number: %(serial)s") % {"serial": serial},
            paragraphs=(
                _(
                    "Having reviewed the application of %(holder)s for “%(item)s”, %(office)s decided "
                    "to approve it. This certificate is issued accordingly."
                )
                % {
                    "holder": certificate.holder_name,
                    "item": certificate.item_title,
                    "office": certificate.entrusting_name or certificate.issuer_name,
                },
            ),
            rows=(
                (_("Holder"), certificate.holder_name),
                (_("ID number"), certificate.holder_id_masked),
                (_("Item"), certificate.item_title),
                # The item's own lines (保障人数, 月保障金额 …), as copied at issue.
                *((str(label), str(text)) for label, text in certificate.particulars or ()),
                (_("Decision"), f"{certificate.decision}（{day_text(certificate.decided_on)}）"),
                (_("Valid"), validity),
                (_("Application number"), certificate.application.number),
            ),
            issuer=tuple(issuer),
            date_text=chinese_date(certificate.issued_on),
            seal=True,
            qr_url=verification_url(certificate.token),
            qr_lines=(
                _("Scan to check it is genuine"),
                _("Check code %(code)s") % {"code": _grouped(check_code(serial))},
            ),
            footer=_(
                "A paper certificate with an online check, not an electronic licence (电子证照). Scan the "
                "code, or enter the serial number and check code at %(url)s."
            )
            % {"url": site_url(reverse("verify:form"))},
            closing=(
                (
                    _("This certificate was revoked on %(date)s and is no longer valid.")
                    % {"date": day_text(timezone.localdate(certificate.revoked_at))},
                )
                if certificate.revoked_at
                else ()
            ),
            watermark=_("REVOKED") if certificate.revoked_at else "",
            framed=True,
        )
