"""Every change to certificates: issue (on approval), revoke, reissue, hand over, check, print.

Issuing runs inside the approving step's transaction (`approvals.services._decide`), so an
approval and its certificate are committed together or not at all. Revocation and the hand-over
lock the application row first, as every application step does, so they queue behind a
concurrent step on the same file and each writes one event in its history: they use the
application steps' own machinery (`approvals.services._lock`, `_check`, `_record`), so a
certificate's events are checked, versioned and notified like every other step.
"""

import calendar
import datetime
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from approvals import services as application_services
from approvals.models import Application
from approvals.states import Act, State, Who
from portal.errors import DomainError, NotPermitted
from portal.offices.models import OfficeKind
from portal.people.models import User
from services_catalog.models import DelegationMode

from . import policies, tokens
from .models import Certificate, CertificateCheck, CertificateSequence, HandOver, PrintBatch
from .policies import certificate_policy

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
    office = application.current_office
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
        issued_at=timezone.now(),
        issued_by=actor,
        token=tokens.certificate_token(serial),
    )
    application_services._record(
        application,
        None,
        Act.ISSUE_CERTIFICATE,
        actor,
        who=who,
        data={
            "certificate": certificate.pk,
            "serial": serial,
            "replaces": replaces.licence_number if replaces else "",
        },
    )
    return certificate


# -- revoking ------------------------------------------------------------------------------------


@transaction.atomic
def certificate_revoke(
    *, actor: User, certificate: Certificate, reason: str, reissue: bool = False
) -> Certificate:
    """Revoke with a reason (verification answers "revoked" from now on); with `reissue`, issue a
    corrected certificate in the same step, from the application's and villager's current data.
    Returns the new certificate when reissued, else the revoked one."""
    application = application_services._lock(certificate.application)
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
    application_services._record(
        application,
        None,
        Act.REVOKE_CERTIFICATE,
        actor,
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


@transaction.atomic
def application_hand_over(
    *,
    actor: User,
    application: Application,
    on: datetime.date,
    how: str,
    note: str = "",
    expected_version: int | None = None,
) -> Certificate:
    """送达: the assistant records that the certificate reached the villager, and how; the last step
    before the villager rates the service."""
    locked = application_services._lock(application)
    step = application_services._check(locked, Act.HAND_OVER, actor, expected_version)
    certificate = Certificate.objects.select_for_update().get(pk=current_certificate(locked).pk)
    if how not in HandOver.values:
        raise DomainError(_("Say how the certificate reached the villager."))
    if on > timezone.localdate() or on < certificate.issued_on:
        raise DomainError(
            _("The hand-over date must be between the issue date %(issued)s and today.")
            % {"issued": certificate.issued_on}
        )
    certificate.handed_over_on = on
    certificate.handed_over_how = how
    certificate.handed_over_note = note.strip()[:200]
    certificate.handed_over_by = actor
    certificate.handed_over_at = timezone.now()
    certificate.save(
        update_fields=[
            "handed_over_on",
            "handed_over_how",
            "handed_over_note",
            "handed_over_by",
            "handed_over_at",
        ]
    )
    application_services._record(
        locked,
        step,
        Act.HAND_OVER,
        actor,
        who=step.who,
        comment=certificate.handed_over_note,
        data={"serial": certificate.licence_number, "on": on.isoformat(), "how": how},
    )
    return certificate


# -- the public check ----------------------------------------------------------------------------

FAILURES_PER_ADDRESS_PER_DAY = 20
"""Checks that found no genuine certificate, from one address in a day, before it must wait."""
FAILURES_PER_SERIAL_PER_DAY = 10
"""Wrong check codes typed for one serial in a day before that serial's typed check pauses."""


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

    Not one transaction on purpose: a failed check must stay counted when a refusal follows."""
    now = timezone.now()
    day_start = now - datetime.timedelta(days=1)
    failures = CertificateCheck.objects.filter(
        outcome=CertificateCheck.Outcome.NOT_GENUINE, at__gte=day_start
    )
    if address and failures.filter(address=address).count() >= FAILURES_PER_ADDRESS_PER_DAY:
        raise VerificationRefused(
            _("Too many checks that matched nothing from this connection today. Try again tomorrow.")
        )
    certificates = Certificate.objects.select_related("issuing_office", "application")
    if token:
        via = CertificateCheck.Via.QR
        token = tokens.normalise_token(token)
        certificate = certificates.filter(token=token).first() if token else None
        genuine = certificate is not None and tokens.token_matches(certificate.licence_number, token)
        serial = ""
    else:
        via = CertificateCheck.Via.FORM
        serial, code = tokens.normalise_serial(serial)[:40], tokens.normalise_code(code)
        certificate = certificates.filter(licence_number=serial).first()
        # Counted on the serial as typed, existing or not: the pause says nothing about which
        # serials exist, and the QR code (an unguessable token) keeps working for the holder.
        if serial and failures.filter(serial=serial).count() >= FAILURES_PER_SERIAL_PER_DAY:
            raise VerificationRefused(
                _(
                    "Too many wrong check codes for this serial today. Try again tomorrow, or scan the QR code."
                )
            )
        genuine = certificate is not None and tokens.code_matches(serial, code)
    outcome = certificate.status_on(timezone.localdate()) if genuine else CertificateCheck.Outcome.NOT_GENUINE
    CertificateCheck.objects.create(
        certificate=certificate, outcome=outcome, via=via, serial=serial, address=address, at=now
    )
    return Verification(outcome=outcome, certificate=certificate if genuine else None)


# -- batch printing ------------------------------------------------------------------------------


def print_batch_create(*, actor: User, certificates: list[Certificate], title: str) -> PrintBatch:
    """Queue one merged PDF of `certificates` (already chosen through the jurisdiction selector);
    the task starts once this commits."""
    from . import selectors
    from .tasks import print_batch_run_task

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


Progress = Callable[[int, int], None]


def print_batch_run(*, batch_id: int, progress: Progress | None = None) -> PrintBatch:
    """Print a queued batch into one PDF in private storage, reporting progress on its row.

    A batch is claimed by moving it from queued to running in one UPDATE, so a task delivered
    twice prints once. A certificate that cannot be printed (revoked since it was chosen, out of
    the person's jurisdiction now, or failing to render) is listed with the reason and left out;
    the rest of the batch goes on."""
    from . import printing

    claimed = PrintBatch.objects.filter(pk=batch_id, status=PrintBatch.Status.QUEUED).update(
        status=PrintBatch.Status.RUNNING, started_at=timezone.now()
    )
    batch = PrintBatch.objects.select_related("created_by").get(pk=batch_id)
    if not claimed:
        return batch

    def report(done: int, total: int) -> None:
        if done in (0, total) or done % printing.PROGRESS_EVERY == 0:
            PrintBatch.objects.filter(pk=batch_id).update(progress_done=done)
        if progress is not None:
            progress(done, total)

    try:
        with tempfile.TemporaryFile() as out:
            result = printing.certificates_pdf(
                user=batch.created_by, certificate_ids=batch.certificate_ids, out=out, progress=report
            )
            out.seek(0)
            batch.file.save(f"batch-{batch.pk}.pdf", File(out), save=False)
            size = out.seek(0, 2)
    except Exception as error:
        logger.exception("Print batch %s failed", batch_id)
        PrintBatch.objects.filter(pk=batch_id).update(
            status=PrintBatch.Status.FAILED, finished_at=timezone.now(), error=str(error)[:500]
        )
        raise
    PrintBatch.objects.filter(pk=batch_id).update(
        status=PrintBatch.Status.DONE,
        finished_at=timezone.now(),
        file=batch.file.name,
        size=size,
        pages=result.pages,
        progress_done=len(batch.certificate_ids),
        failures=result.failures,
    )
    batch.refresh_from_db()
    return batch
