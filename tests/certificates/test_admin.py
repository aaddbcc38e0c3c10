"""The back office's application page shows the certificates, from the same selectors."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_inspect_page_lists_the_certificate_with_its_checks(client, approve, world):
    certificate = approve("dibao", "a1")
    client.get(reverse("verify:token", args=[certificate.token]))
    url = reverse("application_admin:inspect", args=[certificate.application_id])
    client.force_login(world.county_admin)
    body = client.get(url).content.decode()
    assert certificate.licence_number in body and "在线核验 1 次" in body


def test_outside_the_jurisdiction_it_is_404(client, approve, world):
    certificate = approve("dibao", "b1")
    client.force_login(world.township_admin_a)
    assert (
        client.get(reverse("application_admin:inspect", args=[certificate.application_id])).status_code == 404
    )
