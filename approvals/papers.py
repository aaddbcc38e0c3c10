"""What the application's printed papers say: the receipt (回执) given at submission and the
one-time notice (一次性告知书) given at a return (or the list of materials to follow at a 容缺
acceptance); the certificate's paper is `certificates.papers`. All are official Chinese papers,
so they are written in Simplified Chinese whatever language the clerk's pages use; the words are
in the translation catalog all the same.

Both carry a QR code that opens the villager's tracking form with the number filled in, so a
villager without a smartphone gets paper and one with a phone gets the page. Neither carries more
personal data than the paper prints.
"""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal.people.identity import mask_name
from portal.printing.layout import Paper
from portal.printing.words import PAPER_LANGUAGE, chinese_date, day_text
from portal.web.site import site_url
from portal.workdays.provisional import with_provisional_note
from services_catalog.item_forms.display import Section, summary
from services_catalog.item_forms.schema import FormSpec, Kind
from services_catalog.procedure_law import procedure_law

from . import item_data
from .deadlines import ACCEPTANCE_WINDOW_DAYS, provisional_note_between
from .models import Application, ApplicationFile, Notice
from .selectors import material_checklist


def tracking_url(application: Application) -> str:
    """The receipt's and notice's QR: the tracking form with the number filled in; `via=qr` lets
    a rating given from there say it came through the paper."""
    return site_url(reverse("tracking:form") + "?" + urlencode({"number": application.number, "via": "qr"}))


# -- the receipt ---------------------------------------------------------------------------------


def materials_received(application: Application) -> list[tuple[str, int]]:
    """收件清单: each material received (in checklist order, then 其他材料) and its number of
    files, then the signed authorisation; what the receipt lists. Three queries."""
    received = [(row.name, row.count) for row in material_checklist(application) if row.count]
    consents = application.files.filter(kind=ApplicationFile.Kind.CONSENT, superseded_at__isnull=True).count()
    if consents:
        received.append((str(ApplicationFile.Kind.CONSENT.label), consents))
    return received


def _has_address(form: FormSpec) -> bool:
    return any(
        spec.kind == Kind.ADDRESS or any(child.kind == Kind.ADDRESS for child in spec.fields)
        for spec in form.fields()
    )


def data_received(application: Application) -> list[Section]:
    """申请表: what the form says, section by section, as the receipt lists it: names and ID
    numbers masked (a paper anyone may carry), unanswered lines and the office's own fields
    not yet entered left out. The villages are read (one query) only for a form with an address."""
    form = item_data.form_of(application)
    if form.is_empty:
        return []
    places = item_data.regions() if _has_address(form) else {}
    sections = []
    for section in summary(form, application.item_data or {}, regions=places, public=True):
        rows = tuple(row for row in section.rows if row.text != "—")
        if rows:
            sections.append(Section(section.title, rows))
    return sections


def receipt_paper(application: Application) -> Paper:
    """回执: the number, where it went, by when the centre answers, how to track it."""
    with translation.override(PAPER_LANGUAGE):
        office = application.handling_office
        resident = application.resident
        limit = application.limit_days or application.item.promised_limit_days
        rows = [
            (_("Application number (申请编号)"), application.number),
            (_("Matter"), application.item_title),
            (_("Villager"), mask_name(application.applicant_name)),
            (_("ID number"), resident.id_number_masked if resident else "—"),
            (_("Filed by"), application.station.name),
            (_("Submitted on"), day_text(timezone.localdate(application.submitted_at))),
            (_("Handled by"), office.name if office else "—"),
        ]
        if office is not None and office.phone:
            rows.append((_("Phone"), office.phone))
        if application.due_on:
            due = with_provisional_note(
                day_text(application.due_on),
                provisional_note_between(application.accepted_on, application.due_on),
            )
            rows.append((_("Promised by (办结期限)"), due))
        received = materials_received(application)
        rows.append(
            (
                _("Materials received (收件清单)"),
                "；".join(
                    _("%(material)s: %(count)s file(s)") % {"material": name, "count": count}
                    for name, count in received
                )
                or _("none"),
            )
        )
        rows.extend(
            (
                _("Application form: %(section)s") % {"section": section.title},
                "；".join(f"{row.label}：{row.text}" for row in section.rows),
            )
            for section in data_received(application)
        )
        return Paper(
            title=_("Receipt (回执)"),
            subtitle=_("Free of charge (免费代办)"),
            paragraphs=(
                _("Your application was filed by %(station)s and sent to the office that handles it.")
                % {"station": application.station.name},
            ),
            rows=tuple(rows),
            numbered=(
                with_provisional_note(
                    _(
                        "Within %(days)s working days, by %(date)s, %(office)s accepts the application, or "
                        "returns it with one notice (一次性告知) listing everything still needed."
                    )
                    % {
                        "days": ACCEPTANCE_WINDOW_DAYS,
                        "date": day_text(application.accept_by),
                        "office": office.name if office else _("the office that handles it"),
                    },
                    provisional_note_between(application.received_on, application.accept_by),
                ),
                _("Once accepted, it is decided within %(days)s working days.") % {"days": limit},
                _(
                    "Scan the code, or open %(url)s and enter the number above and the last 4 digits of the "
                    "ID number or mobile, to see where it is."
                )
                % {"url": site_url(reverse("tracking:form"))},
            ),
            issuer=(application.station.name,),
            date_text=chinese_date(timezone.localdate(application.submitted_at)),
            qr_url=tracking_url(application),
            qr_lines=(_("Scan to track it"),),
            footer=_("Keep this receipt: its number is how you follow the application."),
        )


# -- the one-time notice -------------------------------------------------------------------------


def notice_paper(notice: Notice) -> Paper:
    """一次性告知书: every missing or wrong material and form field at once (a field's line is
    marked as the application form's, so the villager knows it is not a paper to bring), or the
    materials to follow after a 容缺 acceptance, each with its date. It cites the law of the item's type (行政许可法 第三十二条
    for a licence only; `services_catalog.procedure_law`)."""
    application = notice.application
    with translation.override(PAPER_LANGUAGE):
        if notice.kind == Notice.Kind.SUPPLEMENT:
            title = _("One-time notice of materials to supplement (一次性告知书)")
            opening = _(
                "Under %(law)s, we tell you once and in full everything to supplement or correct in "
                "your application:"
            ) % {"law": procedure_law(application.item).at_receipt}
            closing = _(
                "Your village assistant hands in what is listed and resubmits the application. The time "
                "limit does not run until then."
            )
        else:
            title = _("Notice of materials to follow (容缺受理告知书)")
            opening = _(
                "Your application was accepted with the materials below still to follow, on your signed "
                "promise. Hand each in by its date:"
            )
            closing = _("If a material is not handed in by its date, the application is terminated (终止).")
        items = []
        for line in notice.items.all():
            if line.field_key:  # a field of the application form: its label is kept as the name
                text = _("Application form, “%(field)s”: %(reason)s") % {
                    "field": line.material_name,
                    "reason": line.reason,
                }
            else:
                text = f"{line.material_name}：{line.reason}"
            if line.due_on:
                text += _(" (by %(date)s)") % {"date": day_text(line.due_on)}
            items.append(text)
        issued_on = timezone.localdate(notice.issued_at)
        return Paper(
            title=title,
            subtitle=_("Application number: %(number)s") % {"number": application.number},
            paragraphs=(
                _("To %(name)s (%(item)s):")
                % {"name": mask_name(application.applicant_name), "item": application.item_title},
                opening,
            ),
            numbered=tuple(items),
            closing=tuple(text for text in (notice.note, closing) if text),
            issuer=(notice.office.name,),
            date_text=chinese_date(issued_on),
            seal=True,
            qr_url=tracking_url(application),
            qr_lines=(_("Scan to track it"),),
            footer=(
                _("Questions: ask your village assistant, or call %(office)s on %(phone)s.")
                % {"office": notice.office.short_name or notice.office.name, "phone": notice.office.phone}
                if notice.office.phone
                else _("Questions: ask your village assistant.")
            ),
        )
