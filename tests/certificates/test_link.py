"""The certificate by text message: issuing texts the villager a signed, expiring link that
downloads the staff download's PDF; links that open nothing all look alike and are limited per
connection; a revoked certificate is refused in plain words."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from certificates import links, services
from certificates.models import Certificate
from portal.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def texted(certificate: Certificate) -> OutboxMessage:
    return OutboxMessage.objects.get(topic="certificate_link", reference=certificate.application.number)


def path_of(message: OutboxMessage) -> str:
    url = next(word for word in message.body.split() if "/verify/pdf/" in word)
    return url[url.index("/verify/pdf/") :]


def test_issuing_texts_the_villager_a_link_to_the_pdf(client, approve):
    certificate = approve("dibao", "a1")

    message = texted(certificate)
    assert message.to_mobile == certificate.application.applicant_mobile
    assert certificate.licence_number in message.body

    response = client.get(path_of(message))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")


def test_the_link_serves_the_staff_download_s_paper(client, approve, world):
    certificate = approve("dibao", "a1")
    public = client.get(path_of(texted(certificate)))
    client.force_login(world.clerk_a)
    staff = client.get(reverse("certificates:download", args=[certificate.application_id, certificate.pk]))
    assert staff.status_code == 200
    assert public["Content-Disposition"] == staff["Content-Disposition"]
    assert len(public.content) == pytest.approx(len(staff.content), rel=0.02)


def test_no_mobile_no_text(approve, cases, certified, world):
    from approvals import services as approvals

    application = cases.accepted("dibao", "a1")
    type(application).objects.filter(pk=application.pk).update(applicant_mobile="")
    application.refresh_from_db()
    approvals.application_approve(actor=world.clerk_a, application=application)
    assert not OutboxMessage.objects.filter(topic="certificate_link").exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # altered signature
        lambda token: "9999" + token[token.index(".") :],  # another certificate's id, same signature
        lambda token: "not-a-token",
    ],
)
def test_a_link_that_opens_nothing_says_the_same_whatever_it_is(client, approve, tamper):
    certificate = approve("dibao", "a1")
    token = links.link_token(certificate.pk)
    response = client.get(reverse("verify:pdf", args=[tamper(token)]))
    unknown = client.get(reverse("verify:pdf", args=[links.link_token(certificate.pk + 1000)]))
    assert response.status_code == unknown.status_code == 404
    assert response.content.decode().replace(tamper(token), "") == unknown.content.decode().replace(
        links.link_token(certificate.pk + 1000), ""
    )
    assert "%PDF" not in response.content.decode(errors="ignore")


def test_the_link_expires(client, approve, settings):
    certificate = approve("dibao", "a1")
    path = path_of(texted(certificate))
    later = timezone.now() + datetime.timedelta(days=settings.CUNBAN_CERTIFICATE_LINK_DAYS, hours=1)
    with time_machine.travel(later):
        assert client.get(path).status_code == 404


def test_a_revoked_certificate_is_refused_in_plain_words(client, approve, world):
    certificate = approve("dibao", "a1")
    path = path_of(texted(certificate))
    services.certificate_revoke(actor=world.supervisor_a, certificate=certificate, reason="有误")
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    assert b"%PDF" not in response.content


def test_bad_links_from_one_connection_are_limited_and_others_still_work(client, approve):
    certificate = approve("dibao", "a1")
    path = path_of(texted(certificate))
    for n in range(20):
        client.get(reverse("verify:pdf", args=[f"{n}.bad.token"]), REMOTE_ADDR="10.0.3.1")
    assert client.get(path, REMOTE_ADDR="10.0.3.1").status_code == 429
    assert client.get(path, REMOTE_ADDR="10.0.3.2").status_code == 200
