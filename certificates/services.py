"""Every change to certificates: issue (on approval), revoke, reissue, hand over, check, print.

Issuing runs inside the approving step's transaction (`approvals.services._decide` sends
`approvals.extensions.application_approved`; `receivers` answers it), so an approval and its
certificate are committed together or not at all. Revocation and the hand-over
lock the application row first, as every application step does, so they queue behind a
concurrent step on the same file and each writes one event in its history: they use the
workflow machine every application step uses (`portal.workflow`: `lock`, `check`, `record`), so
a certificate's events are checked, versioned and notified like every other step.
"""

import base64
import binascii
import calendar
import datetime
import logging
from dataclasses import dataclass
from functools import partial
from io import BytesIO
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from approvals import item_data
from approvals.models import Application
from approvals.states import Act, State, Who
from portal import workflow
from portal.errors import DomainError, NotPermitted, required
from portal.files.uploads import PNG, CheckedUpload, check_upload, stored_name
from portal.offices.models import OfficeKind
from portal.outbox.services import message_queue
from portal.people.models import User
from portal.printing.words import PAPER_LANGUAGE
from portal.throttle import limits
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt
from portal.throttle.selectors import limit_reached
from portal.throttle.services import attempt_guard, attempt_record
from services_catalog.item_forms.display import certificate_rows
from services_catalog.item_forms.schema import FormSpec, Kind
from services_catalog.models import DelegationMode

from . import links, policies, selectors, tokens
from .models import Certificate, CertificateCheck, CertificateSequence, HandOver, HandOverProof, PrintBatch
from .policies import certificate_policy
from .tasks import print_batch_run_task

logger = logging.getLogger(__name__)


# -- issuing -------------------------------------------------------------------------------------


def _next_serial(office, year: int) -> str:
    """Office short name, year and the year's sequence: 郝各庄镇〔2026〕17号. The office's row for
    the year is locked while the next number is taken, so concurrent issues never share one."""
    number = CertificateSequence.take_next(office=office, year=year)
    return tokens.format_serial(office.short_name or office.name, year, number)


def _months_later(day: datetime.date, months: int) -> datetime.date:
    """The last day of validity: `months` months from `day`, less one day (1 Dec → 30 Nov)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    end = datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    return end - datetime.timedelta(days=1)


def _places(form: FormSpec) -> dict[str, str]:
    """The county's villages, read only when a certificate line prints an address (one query)."""
    needs = any(
        (spec := form.field(line.field)) is not None and spec.kind == Kind.ADDRESS
        for line in form.certificate
    )
    return item_data.regions() if needs else {}


def certificate_particulars(application: Application) -> list[list[str]]:
    """The lines the item's form names for the certificate (保障人数 3, 月保障金额 1,280 元), as
    [label, text] from the application's own form version and its (masked) data. Copied onto the
    certificate at issue, so the paper says what was decided whatever changes later."""
    form = item_data.form_of(application)
    if not form.certificate:
        return []
    with translation.override(PAPER_LANGUAGE):  # the paper's words ("元"), whatever the clerk reads
        rows = certificate_rows(form, application.item_data or {}, regions=_places(form))
    return [[label, text] for label, text in rows]


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def certificate_lines_missing(application: Application) -> list[str]:
    """The labels of the fields a certificate line needs that are still empty: a required field,
    or an office field (核定, e.g. 月保障金额) the clerk has not entered. A certificate that
    printed "—" for the amount it grants would be worthless, so the approval waits for them."""
    form = item_data.form_of(application)
    data = application.item_data or {}
    missing = []
    for line in form.certificate:
        spec = form.field(line.field)
        if spec is None or not (spec.required or spec.office_only):
            continue
        if _is_empty(data.get(line.field)) and spec.label not in missing:
            missing.append(spec.label)
    return missing


def _missing_message(application: Application, missing: list[str]) -> str:
    return _(
        "The certificate of application %(ref)s prints %(fields)s, which is still empty: enter it on "
        "the application form (核定) before approving."
    ) % {"ref": application.reference, "fields": "、".join(f"“{label}”" for label in missing)}


def approval_blocker(application: Application) -> str | None:
    """Why an approval that would issue a certificate cannot be given now, or None: asked by the
    application's `step_blocker` for 准予 through `approvals.extensions`, so the button is hidden
    and the step refused with the same sentence."""
    if not application.item.certificate_name or application.form_version_id is None:
        return None
    missing = certificate_lines_missing(application)
    return _missing_message(application, missing) if missing else None


def certificate_issue(
    *, actor: User, application: Application, who: Who, replaces: Certificate | None = None
) -> Certificate:
    """Issue the certificate of an approved application whose item results in one.

    Call it with the application locked (from an approving step or a reissue): it trusts the
    caller's permission check. The issuing office is the one that decided (the township centre,
    or the county department after 上报); under 委托 the paper names the entrusting department."""
    item = application.item
    if application.state != State.APPROVED:
        raise DomainError(_("Only an approved application has a certificate."))
    if not item.certificate_name:
        raise DomainError(_("“%(item)s” results in no certificate.") % {"item": item.title})
    missing = certificate_lines_missing(application)
    if missing:
        raise DomainError(_missing_message(application, missing))
    office = required(application.current_office, "current_office")
    entrusting = None
    if (
        application.mode == DelegationMode.ENTRUSTMENT
        and application.delegation is not None
        and office.kind == OfficeKind.CENTRE
    ):
        entrusting = application.delegation.department
    decided_on = timezone.localdate(application.decided_at)
    today = timezone.localdate()
    resident = application.resident
    serial = _next_serial(office, today.year)
    with translation.override("zh-hans"):
        decision = _("Approved (准予)")
    certificate = Certificate.objects.create(
        application=application,
        replaces=replaces,
        licence_type_name=item.certificate_name,
        licence_type_code=item.item_code,
        licence_number=serial,
        item_title=application.item_title or item.title,
        holder_name=resident.name if resident else application.applicant_name,
        holder_id_masked=resident.id_number_masked if resident else "",
        resident=resident,
        issuing_office=office,
        issuer_name=office.name,
        entrusting_department=entrusting,
        entrusting_name=entrusting.name if entrusting else "",
        delegation_document=application.delegation.document_number if application.delegation else "",
        decision=decision,
        decided_on=decided_on,
        issued_on=today,
        valid_from=decided_on,
        valid_until=(
            _months_later(decided_on, item.certificate_valid_months)
            if item.certificate_valid_months
            else None
        ),
        particulars=certificate_particulars(application),
        issued_at=timezone.now(),
        issued_by=actor,
        token=tokens.certificate_token(serial),
    )
    event = workflow.record(
        application,
        None,
        actor,
        act=Act.ISSUE_CERTIFICATE,
        who=who,
        data={
            "certificate": certificate.pk,
            "serial": serial,
            "replaces": replaces.licence_number if replaces else "",
        },
    )
    _text_the_link(application, certificate, event_pk=event.pk)
    return certificate


def _text_the_link(application: Application, certificate: Certificate, *, event_pk: int) -> None:
    """Text the villager a link to their certificate's PDF (`certificates.links`), queued in the
    issuing transaction: an approval rolled back texts nothing. Without a mobile, nothing."""
    if not application.applicant_mobile:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "[村办] The certificate %(name)s (%(serial)s) of application %(ref)s has been issued. "
            "Download it as a PDF within %(days)s days: %(url)s"
        ) % {
            "name": certificate.licence_type_name,
            "serial": certificate.licence_number,
            "ref": application.number,
            "days": links.link_lifetime().days,
            "url": links.link_url(certificate.pk),
        }
    message_queue(
        to_mobile=application.applicant_mobile,
        body=body,
        topic="certificate_link",
        reference=application.number or "",
        dedupe_key=f"event:{event_pk}:certificate_link",
    )


# -- revoking ------------------------------------------------------------------------------------


@transaction.atomic
def certificate_revoke(
    *, actor: User, certificate: Certificate, reason: str, reissue: bool = False
) -> Certificate:
    """Revoke with a reason (verification answers "revoked" from now on); with `reissue`, issue a
    corrected certificate in the same step, from the application's and villager's current data.
    Returns the new certificate when reissued, else the revoked one."""
    application = workflow.lock(certificate.application)
    # of=("self",): the office row stays unlocked, else a concurrent issue in that office (which
    # holds the serial's row and checks its key on the office at commit) deadlocks with this one.
    locked = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("issuing_office")
        .get(pk=certificate.pk)
    )
    who = certificate_policy.capacity_for(actor, policies.REISSUE if reissue else policies.REVOKE, locked)
    if who is None:
        raise NotPermitted(
            _("You may not revoke certificate %(serial)s.") % {"serial": locked.licence_number}
        )
    if locked.revoked_at is not None:
        raise DomainError(
            _("Certificate %(serial)s was already revoked on %(day)s. (已被处理)")
            % {"serial": locked.licence_number, "day": timezone.localdate(locked.revoked_at)}
        )
    if not reason.strip():
        raise DomainError(_("Give the reason for revoking the certificate."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.revocation_reason = reason.strip()
    locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    workflow.record(
        application,
        None,
        actor,
        act=Act.REVOKE_CERTIFICATE,
        who=who,
        comment=locked.revocation_reason,
        data={"certificate": locked.pk, "serial": locked.licence_number, "reissued": reissue},
    )
    if reissue:
        return certificate_issue(actor=actor, application=application, who=who, replaces=locked)
    return locked


# -- handing over --------------------------------------------------------------------------------


def current_certificate(application: Application) -> Certificate | None:
    """The application's certificate in force: the newest one not revoked (one query)."""
    return application.certificates.filter(revoked_at__isnull=True).order_by("-pk").first()


def hand_over_blocker(application: Application) -> str | None:
    """Why the certificate cannot be handed over (送达) now, or None: asked by the application's
    `step_blocker` for the hand-over step, through `approvals.extensions`."""
    current = current_certificate(application)
    if current is None:
        return _("There is no certificate in force to hand over.")
    if current.handed_over_on is not None:
        return _("Certificate %(serial)s was handed over on %(day)s.") % {
            "serial": current.licence_number,
            "day": current.handed_over_on,
        }
    return None


SIGNATURE_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_CHARACTERS = 700_000
"""A signature drawn on a phone's canvas is a PNG of some 10–60 KB; a data URL longer than this
(about 512 KB of image) is not one."""


def _signature_unreadable() -> DomainError:
    return DomainError(
        _(
            "The signature could not be read. Ask the villager to sign again, or upload a photo of "
            "the receipt they signed on paper."
        )
    )


def _is_blank(image_bytes: bytes) -> bool:
    """Is the drawn picture one colour only (the villager did not sign)? A transparent canvas
    counts as white."""
    # why: Pillow is only needed for a drawn signature; a lazy heavy import
    from PIL import Image

    with Image.open(BytesIO(image_bytes)) as image:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        extrema = Image.alpha_composite(paper, rgba).convert("L").getextrema()
    low, high = cast(tuple[float, float], extrema)  # one band ("L"): (darkest, lightest)
    return high - low < 32


def _signature_upload(data_url: str) -> tuple[ContentFile, CheckedUpload]:
    """The PNG the canvas posted as a data URL, checked like any uploaded picture."""
    text = "".join(data_url.split())
    if not text.startswith(SIGNATURE_PREFIX) or len(text) > MAX_SIGNATURE_CHARACTERS:
        raise _signature_unreadable()
    try:
        raw = base64.b64decode(text[len(SIGNATURE_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as error:
        raise _signature_unreadable() from error
    upload = ContentFile(raw, name="signature.png")
    try:
        checked = check_upload(upload)
    except ValidationError as error:
        raise _signature_unreadable() from error
    if checked.content_type != PNG:
        raise _signature_unreadable()
    try:
        blank = _is_blank(checked.cleaned if checked.cleaned is not None else raw)
    except Exception as error:  # Pillow raises many kinds; a bad picture is the user's, never a 500
        raise _signature_unreadable() from error
    if blank:
        raise DomainError(
            _("The signature box is empty. Ask the villager to sign in the box, then record the hand-over.")
        )
    return upload, checked


def _proof(signature: str, photo: Any) -> tuple[str, Any, CheckedUpload]:
    """The proof of receipt: the drawn signature when there is one, else the photo or scan of the
    signed receipt. Raises DomainError (or the upload check's ValidationError) with what to do."""
    if signature and signature.strip():
        upload, checked = _signature_upload(signature)
        return HandOverProof.SIGNATURE, upload, checked
    if photo:
        return HandOverProof.PHOTO, photo, check_upload(photo)
    raise DomainError(
        _(
            "Record the proof of receipt (送达回证): let the villager sign in the box, or upload a photo "
            "of the receipt they signed on paper."
        )
    )


@transaction.atomic
def application_hand_over(
    *,
    actor: User,
    application: Application,
    on: datetime.date,
    how: str,
    note: str = "",
    signature: str = "",
    photo: Any = None,
    expected_version: int | None = None,
) -> Certificate:
    """送达: the assistant records that the certificate reached the villager, how, and the proof
    of receipt (送达回证): the villager's signature drawn on the assistant's phone (`signature`, a
    PNG data URL) or a photo or scan of the receipt signed on paper (`photo`, an upload). The
    last step before the villager rates the service.

    The date lies between the decision (and the paper's issue) and today, the project's today.
    The proof is kept in private storage and served only to those who may see the application
    (`certificate_policy`, VIEW)."""
    locked = workflow.lock(application)
    step = workflow.check(locked, Act.HAND_OVER, actor, expected_version)
    certificate = Certificate.objects.select_for_update().get(
        pk=required(current_certificate(locked), "certificate").pk
    )
    if how not in HandOver.values:
        raise DomainError(_("Say how the certificate reached the villager."))
    earliest = max(certificate.issued_on, certificate.decided_on)
    if on > timezone.localdate() or on < earliest:
        raise DomainError(
            _("The hand-over date must be between the issue date %(issued)s and today.")
            % {"issued": earliest}
        )
    kind, upload, checked = _proof(signature, photo)
    certificate.handed_over_on = on
    certificate.handed_over_how = how
    certificate.handed_over_note = note.strip()[:200]
    certificate.handed_over_by = actor
    certificate.handed_over_at = timezone.now()
    certificate.handed_over_proof_kind = kind
    certificate.handed_over_proof_type = checked.content_type
    certificate.handed_over_proof_sha256 = checked.sha256
    # Photos are kept without their EXIF (GPS) data; the file's name is random, never the upload's.
    certificate.handed_over_proof.save(stored_name(checked), checked.content(upload), save=False)
    certificate.save(
        update_fields=[
            "handed_over_on",
            "handed_over_how",
            "handed_over_note",
            "handed_over_by",
            "handed_over_at",
            "handed_over_proof",
            "handed_over_proof_kind",
            "handed_over_proof_type",
            "handed_over_proof_sha256",
        ]
    )
    workflow.record(
        locked,
        step,
        actor,
        comment=certificate.handed_over_note,
        data={"serial": certificate.licence_number, "on": on.isoformat(), "how": how, "proof": kind},
    )
    return certificate


# -- the public check ----------------------------------------------------------------------------

FAILURES_PER_ADDRESS_PER_DAY = limits.CERTIFICATE_CHECKS_PER_CLIENT.maximum
"""Checks that found no genuine certificate, from one address in a day, before it must wait."""
FAILURES_PER_SERIAL_PER_DAY = limits.CERTIFICATE_CHECKS_PER_SERIAL.maximum
"""Wrong check codes typed for one serial in a day before that serial's typed check pauses."""
CHECK_LIMITS = (limits.CERTIFICATE_CHECKS_PER_CLIENT, limits.CERTIFICATE_CHECKS_PER_SERIAL)


class VerificationRefused(DomainError):
    """Too many wrong guesses; the message says when to try again."""


@dataclass(frozen=True)
class Verification:
    outcome: str
    certificate: Certificate | None

    @property
    def genuine(self) -> bool:
        return self.outcome != CertificateCheck.Outcome.NOT_GENUINE


def certificate_verify(
    *, address: str | None, token: str = "", serial: str = "", code: str = ""
) -> Verification:
    """Check a paper by its QR token, or by its serial and check code, and count the check.

    Limited per client and per serial as typed (portal.throttle.limits); the check is counted in
    the attempts store and on the certificate in one transaction that ends before a refusal is
    raised, so a failed check stays counted."""
    now = timezone.now()
    if not token:
        serial, code = tokens.normalise_serial(serial)[:40], tokens.normalise_code(code)
    else:
        serial = ""
    # Counted on the serial as typed, existing or not: the pause says nothing about which
    # serials exist, and the QR code (an unguessable token, no serial) keeps working for the holder.
    with attempt_guard(scope=Scope.CERTIFICATE_CHECK, key=serial, client=address):
        reached = limit_reached(CHECK_LIMITS, key=serial, client=address)
        if reached is None:
            certificates = Certificate.objects.select_related("issuing_office", "application")
            if token:
                via = CertificateCheck.Via.QR
                token = tokens.normalise_token(token)
                certificate = certificates.filter(token=token).first() if token else None
                genuine = certificate is not None and tokens.token_matches(certificate.licence_number, token)
            else:
                via = CertificateCheck.Via.FORM
                certificate = certificates.filter(licence_number=serial).first()
                genuine = certificate is not None and tokens.code_matches(serial, code)
            outcome = (
                certificate.status_on(timezone.localdate())
                if genuine and certificate is not None
                else CertificateCheck.Outcome.NOT_GENUINE
            )
            CertificateCheck.objects.create(
                certificate=certificate, outcome=outcome, via=via, serial=serial, address=address, at=now
            )
            attempt_record(
                scope=Scope.CERTIFICATE_CHECK,
                key=serial,
                client=address,
                outcome=Attempt.Outcome.OK if genuine else Attempt.Outcome.FAILED,
                at=now,
            )
    if reached is not None:
        raise VerificationRefused(reached.message)
    return Verification(outcome=outcome, certificate=certificate if genuine else None)


# -- the PDF by the texted link (certificates.links) ----------------------------------------------

LINK_LIMITS = (limits.CERTIFICATE_LINKS_PER_CLIENT,)


class LinkRefused(DomainError):
    """The link cannot give the PDF: too many bad links from this client, a link that opens
    nothing (altered, invented, expired: one message for all), or a revoked certificate."""

    def __init__(self, message: str, *, status: int):
        super().__init__(message)
        self.status = status


def certificate_by_link(*, token: str, address: str | None) -> Certificate:
    """The certificate whose PDF a texted link downloads, counted like the tracking page: a
    link that opens nothing is a failed try of the client (no per-certificate limit: nobody can
    use up the villager's own link). A revoked certificate is refused in plain words; the link
    is signed, so saying so tells a stranger nothing."""
    with attempt_guard(scope=Scope.CERTIFICATE_LINK, client=address):
        reached = limit_reached(LINK_LIMITS, client=address)
        certificate = None
        if reached is None:
            pk = links.certificate_pk_of(token)
            if pk is not None:
                certificate = Certificate.objects.select_related("application").filter(pk=pk).first()
            attempt_record(
                scope=Scope.CERTIFICATE_LINK,
                client=address,
                outcome=Attempt.Outcome.OK if certificate is not None else Attempt.Outcome.FAILED,
            )
    if reached is not None:
        raise LinkRefused(reached.message, status=429)
    if certificate is None:
        raise LinkRefused(
            _(
                "This link does not open a certificate, or it has expired. Ask your village assistant "
                "for the certificate."
            ),
            status=404,
        )
    if certificate.is_revoked:
        raise LinkRefused(
            _(
                "This certificate was revoked and is no longer valid. Your village assistant will tell "
                "you what happens next."
            ),
            status=410,
        )
    return certificate


# -- batch printing ------------------------------------------------------------------------------


def print_batch_create(*, actor: User, certificates: list[Certificate], title: str) -> PrintBatch:
    """Queue one merged PDF of `certificates` (already chosen through the jurisdiction selector);
    the task starts once this commits."""
    if not certificates:
        raise DomainError(_("Choose at least one certificate to print."))
    ids = [certificate.pk for certificate in certificates]
    allowed = set(selectors.certificates_printable_by(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if allowed != set(ids):
        raise NotPermitted(_("You may not print some of these certificates."))
    with transaction.atomic():
        batch = PrintBatch.objects.create(
            created_by=actor, title=title[:100], certificate_ids=ids, progress_total=len(ids)
        )
        transaction.on_commit(partial(print_batch_run_task.enqueue, batch.pk))
    return batch
