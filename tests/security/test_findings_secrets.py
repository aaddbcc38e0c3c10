"""Findings 4 and 11 of issue 16: the keys that protect ID numbers and certificates, and ID
numbers in sessions.

4. With DEBUG off, settings refuse to start without SECRET_KEY, FIELD_ENCRYPTION_KEYS,
   ID_HASH_KEY and CUNBAN_CERTIFICATE_KEY (or with the published default SECRET_KEY), and no
   production key is derived from SECRET_KEY. FIELD_ENCRYPTION_KEYS rotate with
   `manage.py rotate_field_keys`. Certificate check codes are HMACs under their own key.
11. A revealed ID number is never written to the session; expired sessions are cleared.
"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from approvals.certificates import tokens
from portal.people import crypto
from portal.people.models import Resident
from portal.people.tasks import expired_sessions_clear, expired_sessions_clear_task
from tests.approvals.conftest import cases, items, residents  # noqa: F401 - fixtures
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


# -- finding 11: no ID number in a session ------------------------------------------------------


def session_texts() -> list[str]:
    """Every stored session, decoded, and its raw row."""
    return [f"{row.session_data} {row.get_decoded()}" for row in Session.objects.all()]


@pytest.mark.django_db
def test_finding_11_no_session_row_holds_the_revealed_id_number(client, cases, world):  # noqa: F811
    application = cases.submitted()
    full = application.resident.id_number
    client.force_login(world.clerk_a)
    client.post(reverse("approvals:id_number", args=[application.pk]))
    assert Session.objects.exists()
    assert not any(full in text or full[-6:] in text for text in session_texts())
    # The page still shows it, once, read afresh from the database.
    assert full in client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert full not in client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert not any(full in text for text in session_texts())


@pytest.mark.django_db
def test_finding_11_a_grant_is_worthless_to_someone_who_no_longer_handles_it(client, cases, world):  # noqa: F811
    application = cases.submitted()
    client.force_login(world.clerk_a)
    client.post(reverse("approvals:id_number", args=[application.pk]))
    session = client.session
    assert session[f"id_number:{application.pk}"] is True
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("approvals.services.may_act_as", lambda *args, **kwargs: False)
        from approvals.views import work

        request = type("R", (), {"session": session, "user": world.clerk_a})()
        assert work._revealed_id_number(request, application) is None


@pytest.mark.django_db
def test_finding_11_expired_sessions_are_cleared_by_the_periodic_task():
    now = timezone.now()
    Session.objects.create(
        session_key="old", session_data="x", expire_date=now - datetime.timedelta(seconds=1)
    )
    Session.objects.create(
        session_key="live", session_data="x", expire_date=now + datetime.timedelta(hours=1)
    )
    assert expired_sessions_clear(now=now) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    Session.objects.filter(session_key="live").update(expire_date=now - datetime.timedelta(days=1))
    assert expired_sessions_clear_task.enqueue().return_value == 1
    assert not Session.objects.exists()
