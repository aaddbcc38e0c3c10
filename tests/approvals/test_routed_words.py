"""Issue 18, gap 8: after a revoked delegation routes new work to the county department, the
filing form's button, the receipt and the tracking page name that department, not "the centre"."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from approvals import services
from approvals.papers import receipt_paper
from portal.printing import layout
from services_catalog.models import Delegation
from tests.approvals.test_deadlines import at
from tests.certificates.conftest import pdf_text

pytestmark = pytest.mark.django_db

D = datetime.date
DEPARTMENT = "宝坻区民政局"


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def revoked(items):
    """低保's delegation to the township centres revoked: new applications go to the department."""
    Delegation.objects.filter(item=items["dibao"]).update(revoked_on=D(2026, 6, 1))


def test_the_words_name_the_county_department_after_a_revoked_delegation(english, cases, world, revoked):
    with at(D(2026, 11, 2)):
        draft = cases.draft()
        english.force_login(world.assistant_a1)
        form = english.get(reverse("approvals:edit", args=[draft.pk])).content.decode()
        assert f"Submit to {DEPARTMENT}" in form and "Submit to the centre" not in form

        application, _ = services.application_submit(actor=world.assistant_a1, application=draft)
        assert application.handling_office == world.d1
        receipt = english.get(reverse("approvals:receipt", args=[application.pk])).content.decode()
        assert f"{DEPARTMENT} accepts the application" in receipt and "the centre accepts" not in receipt
        paper = "".join(pdf_text(layout.render([receipt_paper(application)])).split())
        assert f"{DEPARTMENT}会受理申请" in paper and "便民服务中心会受理" not in paper

        villager = Client()
        villager.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        villager.post(reverse("tracking:form"), {"number": application.number, "last4": "5678"})
        tracking = villager.get(reverse("tracking:detail", args=[application.number])).content.decode()
    assert "区民政局 has your papers" in tracking
    assert "the centre" not in tracking.lower().replace("the centre head", "")


def test_a_delegated_item_still_names_the_township_centre(english, cases, world):
    with at(D(2026, 11, 2)):
        draft = cases.draft()
        english.force_login(world.assistant_a1)
        form = english.get(reverse("approvals:edit", args=[draft.pk])).content.decode()
    assert "Submit to 郝各庄镇便民服务中心" in form
