"""The hand-over page (送达) and its proof: the no-JavaScript photo path, the signature posted by
the signature box, refusals that keep what was typed, and the proof served only to those who may
see the application. Issue 18, gap 9."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from approvals.states import Act
from certificates import services
from certificates.models import HandOver, HandOverProof
from tests.certificates.proofs import blank_signature_data_url, receipt_photo, signature_data_url

pytestmark = pytest.mark.django_db


def _url(certificate) -> str:
    return reverse("approvals:act", args=[certificate.application.pk, Act.HAND_OVER])


def _post(client, certificate, **changes):
    data = {
        "version": certificate.application.version,
        "on": timezone.localdate().isoformat(),
        "how": "assistant",
        "note": "送到家中",
    } | changes
    return client.post(_url(certificate), data)


def test_the_page_prefills_today_and_offers_the_signature_box_and_the_photo(client, approve, world):
    certificate = approve("dibao", "a1")
    client.force_login(world.assistant_a1)
    page = client.get(_url(certificate)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert "代办员送达" in page and "窗口领取" in page
    assert "data-signature-pad hidden" in page and "<canvas" in page  # shown by the script only
    assert 'type="file" name="photo"' in page and "certificates/signature.js" in page
    assert "<script>" not in page  # CSP: no inline script


def test_without_javascript_a_photo_of_the_signed_receipt_records_it(client, approve, world):
    certificate = approve("dibao", "a1")
    client.force_login(world.assistant_a1)
    response = _post(client, certificate, how="post", photo=receipt_photo())
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.handed_over_how == HandOver.POST
    assert certificate.handed_over_proof_kind == HandOverProof.PHOTO


def test_the_signature_box_posts_a_png_data_url(client, approve, world):
    certificate = approve("dibao", "a1")
    client.force_login(world.assistant_a1)
    response = _post(client, certificate, signature=signature_data_url())
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.handed_over_proof_kind == HandOverProof.SIGNATURE


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "送达回证"),
        ({"signature": blank_signature_data_url()}, "签名框"),
        ({"signature": "data:image/png;base64,@@@"}, "签名无法读取"),
        ({"photo": SimpleUploadedFile("回执.jpg", b"", content_type="image/jpeg")}, "空"),
        ({"photo": SimpleUploadedFile("回执.jpg", b"<html>x</html>", content_type="image/jpeg")}, "网页"),
        ({"on": "2026-13-45", "signature": signature_data_url()}, "年-月-日"),
    ],
    ids=["nothing", "blank", "garbage", "empty-photo", "html-photo", "bad-date"],
)
def test_bad_proof_is_a_clear_message_and_keeps_what_was_typed(client, approve, world, changes, message):
    certificate = approve("dibao", "a1")
    client.force_login(world.assistant_a1)
    response = _post(client, certificate, note="老人在家签收", **changes)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page, page
    assert 'value="老人在家签收"' in page
    if "signature" in changes and changes.get("on"):  # a drawn signature survives another field's error
        assert changes["signature"] in page
    certificate.refresh_from_db()
    assert certificate.handed_over_on is None


def test_the_clerk_s_page_shows_the_proof_and_only_those_who_see_the_application_reach_it(
    client, approve, world
):
    certificate = approve("dibao", "a1")
    application = certificate.application
    client.force_login(world.assistant_a1)
    assert _post(client, certificate, signature=signature_data_url()).status_code == 302
    proof = reverse("certificates:hand_over_proof", args=[application.pk, certificate.pk])

    client.force_login(world.clerk_a)
    page = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert f'src="{proof}"' in page and "送达回证" in page
    response = client.get(proof)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("private, no-store")
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    for stranger in (world.clerk_b, world.assistant_b1, world.officer_d1, world.outsider):
        client.force_login(stranger)
        assert client.get(proof).status_code == 404, stranger.username
    client.logout()
    assert client.get(proof).status_code == 302  # to the login page


def test_no_proof_no_page(client, approve, world):
    certificate = approve("dibao", "a1")
    client.force_login(world.clerk_a)
    proof = reverse("certificates:hand_over_proof", args=[certificate.application.pk, certificate.pk])
    assert client.get(proof).status_code == 404


def test_the_tracking_page_says_the_result_was_delivered_once_it_was(client, approve, world):
    """Issue 18, gap 9: after 送达 the status still said 村代办员会把办理结果送给您."""
    certificate = approve("dibao", "a1")
    application = certificate.application
    track = reverse("tracking:detail", args=[application.number])
    response = client.post(reverse("tracking:form"), {"number": application.number, "last4": "5678"})
    assert response.status_code == 302
    before = client.get(track).content.decode()
    assert "村代办员会把办理结果送给您" in before and "送达给您" not in before

    services.application_hand_over(
        actor=world.assistant_a1,
        application=application,
        on=timezone.localdate(),
        how=HandOver.ASSISTANT,
        signature=signature_data_url(),
    )
    after = client.get(track).content.decode()
    assert "村代办员会把办理结果送给您" not in after
    assert "办理结果已于" in after and "送达给您" in after
    assert "hand-over-proof" not in after  # the proof is for staff pages only
