"""Each source writes one audit entry; entries cannot be changed; retention keeps 184 days."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.audit.services import audit_prune, audit_record
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_failed_sign_in_keeps_the_typed_name_never_the_password(client, world):
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    authenticate(RequestFactory().post("/accounts/login/"), username="x" * 200, password=PASSWORD)
    entry = AuditEntry.objects.get()
    assert (entry.event, entry.outcome, entry.username) == ("login_failed", "failed", "x" * 64)
    assert PASSWORD not in str(entry.detail)


def test_sign_in_and_out_write_one_entry_each(client, world):
    client.force_login(world.clerk_a)
    client.logout()
    events = list(AuditEntry.objects.order_by("pk").values_list("event", "user", "username"))
    assert events == [
        ("login_ok", world.clerk_a.pk, world.clerk_a.get_username()),
        ("logout", world.clerk_a.pk, world.clerk_a.get_username()),
    ]


def test_state_change_writes_one_compact_entry_per_event(cases, world):
    application = cases.submitted()
    entries = AuditEntry.objects.filter(event="state_change", object_id=str(application.pk))
    assert entries.count() == application.events.count() >= 1
    assert entries.first().object_type == "approvals.application"


def test_id_number_reveal_logs_the_masked_number_only(client, cases, world):
    application = cases.submitted()
    client.force_login(world.clerk_a)
    client.post(reverse("approvals:id_number", args=[application.pk]))
    entry = AuditEntry.objects.get(event="id_number_view")
    assert entry.user == world.clerk_a and entry.object_id == str(application.pk)
    assert entry.path == reverse("approvals:id_number", args=[application.pk])
    assert entry.ip_address == "127.0.0.1"
    assert application.resident.id_number not in str(entry.detail)
    assert entry.detail["masked"] == application.resident.id_number_masked


def test_outside_jurisdiction_404_is_logged_as_refused(client, cases, world):
    application = cases.submitted()
    client.force_login(world.clerk_b)
    response = client.get(reverse("approvals:detail", args=[application.pk]))
    assert response.status_code == 404
    entry = AuditEntry.objects.get(event="access_refused")
    assert (entry.user, entry.outcome) == (world.clerk_b, "refused")


def test_entries_refuse_update_and_delete_through_the_orm(world):
    entry = audit_record(event="login_ok", user=world.clerk_a)
    entry.username = "someone else"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.update(username="x")
    with pytest.raises(ValidationError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().username == world.clerk_a.get_username()


@pytest.mark.postgres
def test_database_refuses_raw_update_and_delete(world):
    from django.db import DatabaseError

    audit_record(event="login_ok", user=world.clerk_a)
    for sql in ("UPDATE audit_auditentry SET username = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 1


def test_retention_keeps_rows_younger_than_184_days_at_the_boundary(world):
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=184) + datetime.timedelta(seconds=1), tick=False):
        kept = audit_record(event="login_ok")
    with time_machine.travel(now - datetime.timedelta(days=184, seconds=1), tick=False):
        audit_record(event="login_ok")
    assert audit_prune(days=184, now=now, dry_run=True) == 1
    assert audit_prune(days=184, now=now) == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [kept.pk]


def test_prune_command_refuses_fewer_than_184_days(world):
    with pytest.raises(CommandError, match="184"):
        call_command("prune_audit_log", "--days", "30")


def test_prune_command_dry_run_reports_and_keeps(world, capsys):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=400), tick=False):
        audit_record(event="login_ok")
    call_command("prune_audit_log", "--dry-run")
    assert "would delete 1" in capsys.readouterr().out
    assert AuditEntry.objects.count() == 1


def test_inbox_export_writes_one_export_entry(client, cases, world):
    cases.submitted()
    client.force_login(world.clerk_a)
    response = client.get(reverse("approvals:export"))
    b"".join(response.streaming_content)
    entry = AuditEntry.objects.get(event="export_download")
    assert (entry.user, entry.detail) == (world.clerk_a, {"export": "applications.csv"})


def test_a_material_download_writes_one_entry_and_a_refused_one_a_refusal(client, cases, world):
    application = cases.submitted()
    record = application.files.first()
    url = reverse("approvals:file", args=[application.pk, record.pk])
    client.force_login(world.clerk_a)
    b"".join(client.get(url).streaming_content)
    entry = AuditEntry.objects.get(event="material_download")
    assert (entry.user, entry.object_type, entry.object_id) == (
        world.clerk_a,
        "approvals.applicationfile",
        str(record.pk),
    )
    client.force_login(world.clerk_b)
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(event="material_download").count() == 1
    assert AuditEntry.objects.get(event="access_refused").user == world.clerk_b
