"""The written papers of acceptance and refusal: 受理通知书 once an application is accepted,
不予受理决定书 when it is refused before acceptance, and 不予许可 / 不予给付 / 不予确认 / 不予办理
决定书 when the request itself is refused (行政许可法 第三十二条, 第三十八条 for licences; the same
practice for every other type, citing the item's own law: `services_catalog.procedure_law`).

A refusal gives the reason and the legal basis the clerk recorded (`decision_reason`,
`decision_basis`) and the remedies: 行政复议 within the county's time limit (at least 60 days,
行政复议法 第二十条) at the body the county names, or 行政诉讼 within 6 months (行政诉讼法 第四十六条)
at the court it names (`portal.places.models.Remedies`). A county that has not named them gets
papers that are still true: its people's government (which hears reconsideration of its
departments' and townships' decisions, 行政复议法 第二十四条) and "the people's court with
jurisdiction" (courts may be centralised, so no court is guessed).

Like the receipt, every paper is in Simplified Chinese whatever the clerk's language, carries a
QR code to the tracking page, and no more personal data than the receipt prints.
"""

from typing import Literal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.offices.models import Office
from portal.people.identity import mask_name
from portal.places.selectors import remedies_for
from portal.printing.layout import Paper
from portal.printing.words import PAPER_LANGUAGE, chinese_date, day_text
from portal.workdays.provisional import with_provisional_note
from services_catalog.models import DelegationMode
from services_catalog.procedure_law import procedure_law, refusal_title

from .deadlines import provisional_note_between
from .models import Application
from .papers import tracking_url
from .states import State

PaperKind = Literal["acceptance", "refusal"]
REVIEW_LAW = "《中华人民共和国行政复议法》第二十条"
LAWSUIT_LAW = "《中华人民共和国行政诉讼法》第四十六条"


def papers_available(application: Application) -> list[PaperKind]:
    """The written papers the application's state has produced: the acceptance notice once it
    was accepted (also after a later decision), the refusal once it was refused."""
    kinds: list[PaperKind] = []
    if application.number and application.accepted_on is not None:
        kinds.append("acceptance")
    if application.number and application.state == State.REJECTED:
        kinds.append("refusal")
    return kinds


def is_refusal_to_accept(application: Application) -> bool:
    """不予受理: refused before it was ever accepted."""
    return application.state == State.REJECTED and application.accepted_on is None


def paper_title(application: Application, kind: PaperKind, *, language: str | None = PAPER_LANGUAGE) -> str:
    """The paper's title in the paper's language (also the download's file name), or in the
    page's language for a link (`language=None`)."""
    with translation.override(language or translation.get_language()):
        if kind == "acceptance":
            return _("Acceptance notice (受理通知书)")
        if is_refusal_to_accept(application):
            return _("Decision not to accept (不予受理决定书)")
        return str(refusal_title(application.item.item_type))


def paper_links(application: Application) -> list[tuple[PaperKind, str]]:
    """(kind, title in the page's language) of each paper the application has, for its pages."""
    return [(kind, paper_title(application, kind, language=None)) for kind in papers_available(application)]


def paper_for(application: Application, kind: PaperKind) -> Paper:
    return acceptance_paper(application) if kind == "acceptance" else refusal_paper(application)


def _issuer(application: Application, office: Office | None) -> tuple[str, ...]:
    """The office in whose name the paper goes out; an entrusted centre names its department."""
    if office is None:
        return ()
    delegation = application.delegation
    if (
        application.mode == DelegationMode.ENTRUSTMENT
        and delegation is not None
        and office.pk == application.handling_office_id
    ):
        return (office.name, _("Entrusted by %(department)s") % {"department": delegation.department.name})
    return (office.name,)


def _contact_footer(office: Office | None) -> str:
    if office is not None and office.phone:
        return _("Questions: ask your village assistant, or call %(office)s on %(phone)s.") % {
            "office": office.short_name or office.name,
            "phone": office.phone,
        }
    return _("Questions: ask your village assistant.")


# -- 受理通知书 ------------------------------------------------------------------------------------


def acceptance_paper(application: Application) -> Paper:
    """受理通知书: accepted on which day, under which law, by when it is decided, how to track it."""
    with translation.override(PAPER_LANGUAGE):
        office = application.handling_office
        law = procedure_law(application.item).at_receipt
        limit = application.limit_days or application.item.promised_limit_days
        rows = [
            (_("Application number (申请编号)"), application.number or "—"),
            (_("Matter"), application.item_title),
            (_("Villager"), mask_name(application.applicant_name)),
            (_("Materials received on"), day_text(application.received_on)),
            (_("Accepted on"), day_text(application.accepted_on)),
            (_("Promised time limit"), _("%(days)s working days") % {"days": limit}),
        ]
        if application.due_on:
            rows.append(
                (
                    _("Promised by (办结期限)"),
                    with_provisional_note(
                        day_text(application.due_on),
                        provisional_note_between(application.accepted_on, application.due_on),
                    ),
                )
            )
        rows.append((_("Handled by"), office.name if office else "—"))
        if office is not None and office.address:
            rows.append((_("Address"), office.address))
        accepted = application.accepted_on or timezone.localdate()
        return Paper(
            title=_("Acceptance notice (受理通知书)"),
            subtitle=_("Application number: %(number)s") % {"number": application.number},
            paragraphs=(
                _("To %(name)s (%(item)s):")
                % {"name": mask_name(application.applicant_name), "item": application.item_title},
                _(
                    "Your application, received on %(received)s, has its materials complete and in the "
                    "required form. Under %(law)s, it was accepted on %(accepted)s."
                )
                % {"received": day_text(application.received_on), "law": law, "accepted": day_text(accepted)},
            ),
            rows=tuple(rows),
            numbered=(
                _(
                    "It is decided within %(days)s working days of acceptance; special procedures are not counted."
                )
                % {"days": limit},
                _(
                    "Scan the code, or open the tracking page and enter the number above and the last 4 "
                    "digits of the ID number or mobile, to see where it is."
                ),
            ),
            issuer=_issuer(application, office),
            date_text=chinese_date(accepted),
            seal=True,
            qr_url=tracking_url(application),
            qr_lines=(_("Scan to track it"),),
            footer=_contact_footer(office),
        )


# -- 不予受理 / 不予许可 / 不予给付 决定书 -------------------------------------------------------------


def remedy_lines(application: Application) -> tuple[str, str]:
    """The two remedies as the paper prints them, from the county's settings or in general terms."""
    office = application.current_office or application.handling_office
    region = office.region if office is not None else application.village
    county, remedies = remedies_for(region)
    if remedies is not None:
        body, days = remedies.review_body, remedies.review_days
        court, months = remedies.court, remedies.litigation_months
        body_contact, court_contact = remedies.review_contact, remedies.court_contact
    else:
        body = (
            _("the %(county)s People's Government") % {"county": county.name}
            if county is not None
            else _("the county People's Government")
        )
        court, days, months, body_contact, court_contact = (
            _("the people's court with jurisdiction"),
            60,
            6,
            "",
            "",
        )
    review = _(
        "If you disagree with this decision, you may apply to %(body)s for administrative reconsideration "
        "(行政复议) within %(days)s days of receiving it (%(law)s)."
    ) % {"body": body, "days": days, "law": REVIEW_LAW}
    lawsuit = _(
        "You may also bring an administrative lawsuit (行政诉讼) at %(court)s within %(months)s months of "
        "receiving it (%(law)s)."
    ) % {"court": court, "months": months, "law": LAWSUIT_LAW}
    if body_contact:
        review += _(" Where: %(contact)s.") % {"contact": body_contact}
    if court_contact:
        lawsuit += _(" Where: %(contact)s.") % {"contact": court_contact}
    return review, lawsuit


def refusal_paper(application: Application) -> Paper:
    """不予受理决定书 before acceptance, else 不予许可/不予给付/不予确认/不予办理决定书 by the item's
    type: the reason, the legal basis, the law the office acts under, and the remedies."""
    with translation.override(PAPER_LANGUAGE):
        office = application.current_office or application.handling_office
        law = procedure_law(application.item)
        decided = (
            timezone.localdate(application.decided_at) if application.decided_at else timezone.localdate()
        )
        submitted = (
            timezone.localdate(application.submitted_at)
            if application.submitted_at
            else application.received_on
        )
        facts = {"item": application.item_title, "date": day_text(submitted), "number": application.number}
        if is_refusal_to_accept(application):
            opening = _(
                "You applied on %(date)s for “%(item)s” (application %(number)s). Under %(law)s, we decide "
                "not to accept the application, for the reason below."
            ) % {**facts, "law": law.at_receipt}
        else:
            opening = _(
                "You applied on %(date)s for “%(item)s” (application %(number)s), accepted on %(accepted)s. "
                "Having examined it, and under %(law)s, we decide not to grant it, for the reason below."
            ) % {**facts, "accepted": day_text(application.accepted_on), "law": law.at_decision}
        review, lawsuit = remedy_lines(application)
        return Paper(
            title=paper_title(application, "refusal"),
            subtitle=_("Application number: %(number)s") % {"number": application.number},
            paragraphs=(_("To %(name)s:") % {"name": mask_name(application.applicant_name)}, opening),
            rows=(
                (_("Reason"), application.decision_reason or "—"),
                (_("Legal basis"), application.decision_basis or "—"),
            ),
            numbered=(review, lawsuit),
            closing=(_("Your village assistant can help you with either, free of charge."),),
            issuer=_issuer(application, office),
            date_text=chinese_date(decided),
            seal=True,
            qr_url=tracking_url(application),
            qr_lines=(_("Scan to track it"),),
            footer=_contact_footer(office),
        )
