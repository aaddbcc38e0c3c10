"""Certificates (证照) issued when an application is approved, and the checks of the paper.

A certificate's fields are named after the metadata elements of GB/T 36903 (电子证照 元数据规范)
so that a later export to the national electronic-licence format is a mapping, not a rewrite:

| field | GB/T 36903 element |
|---|---|
| `licence_type_name`, `licence_type_code` | 证照类型名称, 证照类型代码 |
| `licence_number` | 证照编号 (the serial printed on the paper) |
| `identifier` | 证照标识 (a stand-in until GB/T 36904 identifiers are assigned) |
| `holder_name`, `holder_id_type`, `holder_id_masked` | 持证主体, 持证主体代码类型, 持证主体代码 |
| `issuer_name`, `issuing_office` | 颁证机构 (the office that issues the paper) |
| `entrusting_name`, `entrusting_department` | 委托机构 (委托: the department in whose name it is issued) |
| `issued_on` | 颁证日期 |
| `valid_from`, `valid_until` | 有效期起始日期, 有效期截止日期 |
| `particulars` | 照面信息 (the item's own lines: 保障人数, 月保障金额 …) |

The full ID number is not copied here: it stays encrypted on the resident record, which an export
reads. A PDF with a QR check is a paper certificate with an online check, not a conformant
电子证照 (no GB/T 36905 signature or format); see docs/certificates.md.

A certificate is immutable once issued. Only revocation, the hand-over and nothing else are
recorded on it later; a correction is a revocation plus a new certificate (`replaces`).
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import Application
from portal.files.storage import private_storage
from portal.numbering import Sequence
from portal.offices.models import Office
from portal.people.models import Resident


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Genuine and valid (真实有效)")
    EXPIRED = "expired", _("Genuine, but expired (已过期)")
    REVOKED = "revoked", _("Revoked (已撤销)")


class HandOver(models.TextChoices):
    """送达方式: how the paper reached the villager."""

    IN_PERSON = "in_person", _("Collected in person at the centre (窗口领取)")
    ASSISTANT = "assistant", _("Brought by the village assistant (代办员送达)")
    POST = "post", _("By post (邮寄送达)")
    OTHER = "other", _("Another way (其他)")


class HandOverProof(models.TextChoices):
    """What proves the villager received the paper (送达回证): their signature drawn on the
    assistant's phone, or a photo or scan of the paper receipt they signed (the way without
    JavaScript, and for post: the signed return slip)."""

    SIGNATURE = "signature", _("Signed on the assistant's phone")
    PHOTO = "photo", _("Photo of the signed receipt")


class Certificate(models.Model):
    # Fields that may change after issue; everything else is fixed (see `save`).
    LATER_FIELDS = frozenset(
        {
            "revoked_at",
            "revoked_by",
            "revocation_reason",
            "handed_over_on",
            "handed_over_how",
            "handed_over_note",
            "handed_over_by",
            "handed_over_at",
            "handed_over_proof",
            "handed_over_proof_kind",
            "handed_over_proof_type",
            "handed_over_proof_sha256",
        }
    )

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="certificates"
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    identifier = models.UUIDField(_("identifier (证照标识)"), default=uuid.uuid4, unique=True, editable=False)
    licence_type_name = models.CharField(_("certificate (证照类型名称)"), max_length=100)
    licence_type_code = models.CharField(_("certificate type code (证照类型代码)"), max_length=40)
    licence_number = models.CharField(_("serial number (证照编号)"), max_length=60, unique=True)
    item_title = models.CharField(_("item"), max_length=255)
    holder_name = models.CharField(_("holder (持证主体)"), max_length=50)
    holder_id_type = models.CharField(
        _("holder's ID type (持证主体代码类型)"), max_length=20, default="resident_id"
    )
    holder_id_masked = models.CharField(_("holder's ID number, masked"), max_length=18, blank=True)
    resident = models.ForeignKey(
        Resident, verbose_name=_("villager"), null=True, on_delete=models.PROTECT, related_name="certificates"
    )
    issuing_office = models.ForeignKey(
        Office, verbose_name=_("issuing office"), on_delete=models.PROTECT, related_name="issued_certificates"
    )
    issuer_name = models.CharField(_("issuing office (颁证机构)"), max_length=100)
    entrusting_department = models.ForeignKey(
        Office,
        verbose_name=_("entrusting department (委托机构)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entrusted_certificates",
    )
    entrusting_name = models.CharField(_("issued in the name of"), max_length=100, blank=True)
    delegation_document = models.CharField(_("delegation document"), max_length=100, blank=True)
    decision = models.CharField(_("decision"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    issued_on = models.DateField(_("issued on (颁证日期)"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    particulars = models.JSONField(
        _("particulars (照面信息)"),
        default=list,
        blank=True,
        help_text=(
            "[[label, text], …]: the lines the item's form names for the certificate (保障人数, "
            "月保障金额 …), as printed at issue; a later change to the application's data or to the "
            "item's form does not change an issued certificate."
        ),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    token = models.CharField(
        max_length=40,
        unique=True,
        editable=False,
        help_text="The QR code's signed token (certificates.tokens); carries no personal data.",
    )

    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    handed_over_on = models.DateField(_("handed over on (送达日期)"), null=True, blank=True)
    handed_over_how = models.CharField(
        _("handed over how (送达方式)"), max_length=16, choices=HandOver.choices, blank=True
    )
    handed_over_note = models.CharField(_("hand-over note"), max_length=200, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # 送达回证: kept in private storage, served only through `certificate_policy` (VIEW).
    handed_over_proof = models.FileField(
        _("proof of receipt (送达回证)"),
        upload_to="handovers/%Y/%m/",
        max_length=200,
        storage=private_storage,
        blank=True,
    )
    handed_over_proof_kind = models.CharField(
        _("kind of proof"), max_length=16, choices=HandOverProof.choices, blank=True
    )
    handed_over_proof_type = models.CharField(max_length=40, blank=True)
    handed_over_proof_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["issuing_office", "issued_on"], name="cert_office_day")]

    def __str__(self) -> str:
        return self.licence_number

    def save(self, *args, **kwargs):
        """Issued facts never change: a later save may only touch revocation and hand-over."""
        if self.pk is not None and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.LATER_FIELDS:
                raise ValidationError(
                    "A certificate cannot be changed once issued: revoke it and issue anew."
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Certificates are never deleted: revoke instead.")

    def status_on(self, day: datetime.date) -> str:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.valid_until is not None and day > self.valid_until:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return CertificateStatus(self.status).label

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CertificateSequence(Sequence):
    """The last serial issued per office and year; locked while the next one is taken."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="cert_sequence_per_year")]

    def __str__(self) -> str:
        return f"{self.office_id} {self.year}: {self.last}"


class CertificateCheck(models.Model):
    """One look-up on the public verification page: counted on the certificate when one matched,
    so an office sees that its papers are being checked; kept for the guessing limit too."""

    class Outcome(models.TextChoices):
        VALID = "valid", _("genuine and valid")
        EXPIRED = "expired", _("genuine, expired")
        REVOKED = "revoked", _("revoked")
        NOT_GENUINE = "not_genuine", _("not genuine")

    class Via(models.TextChoices):
        QR = "qr", _("QR code")
        FORM = "form", _("typed serial and check code")

    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.CASCADE, related_name="checks"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    via = models.CharField(max_length=4, choices=Via.choices)
    serial = models.CharField(max_length=40, blank=True, default="")
    """The serial as typed (normalised), also when no certificate has it: the limit on wrong
    codes per serial counts invented serials alike, so it says nothing about which exist."""
    address = models.GenericIPAddressField(null=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("certificate check")
        verbose_name_plural = _("certificate checks")
        indexes = [
            models.Index(fields=["address", "at"], name="cert_check_by_address"),
            models.Index(fields=["serial", "at"], name="cert_check_by_serial"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id or '-'} {self.outcome} {self.at:%Y-%m-%d %H:%M}"

    @property
    def genuine(self) -> bool:
        return self.outcome != self.Outcome.NOT_GENUINE


class PrintBatch(models.Model):
    """A merged PDF of many certificates, made by a background task; the batch page reads this
    row to show progress, so it is written outside the rendering's transaction."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Printing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("asked for at"), auto_now_add=True)
    title = models.CharField(_("what"), max_length=100)
    certificate_ids = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    failures = models.JSONField(
        default=list, blank=True, help_text="[{'serial': …, 'error': …}]: certificates left out, and why."
    )
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="print_batches/%Y/%m/", storage=private_storage, blank=True)
    size = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.progress_total})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        return 100 * self.progress_done // self.progress_total if self.progress_total else 0
