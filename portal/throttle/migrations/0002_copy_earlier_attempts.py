"""Copy every try the earlier tables counted into the one attempts store, so no limit restarts
from zero when this is deployed: application lookups (approvals.TrackingAttempt) and the
ledger's lookups and wishes (ledger.PublicAttempt), whose tables are then removed; and the
requests for texted codes (approvals.TrackingCode), the certificate checks
(certificates.CertificateCheck) and the password-reset requests (audit log), whose rows stay
where they are because they hold more than a count."""

from django.db import migrations

BATCH = 2000

TRACKING_LOOKUP = "tracking.lookup"
LEDGER_LOOKUP = "ledger.lookup"
LEDGER_SUBMIT = "ledger.submit"
ONE_TIME_CODE = "one_time_code"
CERTIFICATE_CHECK = "certificate.check"
PASSWORD_RESET = "password_reset"  # noqa: S105


def _copy(Attempt, rows, make):
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(make(row))
        if len(batch) >= BATCH:
            Attempt.objects.bulk_create(batch)
            batch = []
    if batch:
        Attempt.objects.bulk_create(batch)


def _outcome(succeeded: bool) -> str:
    return "ok" if succeeded else "failed"


def copy_attempts(apps, schema_editor):
    Attempt = apps.get_model("throttle", "Attempt")
    TrackingAttempt = apps.get_model("approvals", "TrackingAttempt")
    PublicAttempt = apps.get_model("ledger", "PublicAttempt")
    TrackingCode = apps.get_model("approvals", "TrackingCode")
    CertificateCheck = apps.get_model("certificates", "CertificateCheck")
    AuditEntry = apps.get_model("audit", "AuditEntry")

    _copy(
        Attempt,
        TrackingAttempt.objects.order_by("pk"),
        lambda row: Attempt(
            scope=TRACKING_LOOKUP,
            key=row.number,
            client=row.address,
            outcome=_outcome(row.succeeded),
            at=row.at,
        ),
    )
    _copy(
        Attempt,
        PublicAttempt.objects.order_by("pk"),
        lambda row: Attempt(
            scope=LEDGER_SUBMIT if row.kind == "submit" else LEDGER_LOOKUP,
            key=row.number,
            client=row.address,
            outcome=_outcome(row.succeeded),
            at=row.at,
        ),
    )
    _copy(
        Attempt,
        TrackingCode.objects.order_by("pk"),
        lambda row: Attempt(
            scope=ONE_TIME_CODE,
            key=f"{row.scope}:{row.number}",
            client=row.address,
            outcome="ok",
            at=row.created_at,
        ),
    )
    _copy(
        Attempt,
        CertificateCheck.objects.order_by("pk"),
        lambda row: Attempt(
            scope=CERTIFICATE_CHECK,
            key=row.serial,
            client=row.address,
            outcome="failed" if row.outcome == "not_genuine" else "ok",
            at=row.at,
        ),
    )
    _copy(
        Attempt,
        AuditEntry.objects.filter(event="state_change", detail__act="password_reset_requested").order_by(
            "pk"
        ),
        lambda row: Attempt(
            scope=PASSWORD_RESET,
            key=row.object_id or "",
            client=row.ip_address,
            outcome={"ok": "ok", "refused": "refused"}.get(row.outcome, "failed"),
            at=row.at,
        ),
    )


def copy_back(apps, schema_editor):
    """Undo: the earlier tables come back empty (their migration reverses), and so does the store."""
    apps.get_model("throttle", "Attempt").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("throttle", "0001_initial"),
        ("approvals", "0003_one_time_codes"),
        ("ledger", "0001_initial"),
        ("certificates", "0002_check_serial"),
        ("audit", "0003_two_factor_reset_event"),
    ]

    operations = [migrations.RunPython(copy_attempts, copy_back)]
