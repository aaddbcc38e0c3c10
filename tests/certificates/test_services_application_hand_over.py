"""送达: the assistant records when and how the certificate reached the villager, with the proof of
receipt (送达回证: the villager's signature on the assistant's phone, or a photo of the paper
receipt they signed), once per paper. Issue 18, gap 9."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from approvals import selectors
from approvals.states import Act
from certificates import services
from certificates.models import HandOver, HandOverProof
from portal.errors import DomainError, NotPermitted
from tests.certificates.proofs import blank_signature_data_url, receipt_photo, signature_data_url

pytestmark = pytest.mark.django_db


def hand_over(world, certificate, actor=None, **changes):
    arguments = {
        "on": timezone.localdate(),
        "how": HandOver.ASSISTANT,
        "note": "送到家中",
        "signature": signature_data_url(),
    } | changes
    return services.application_hand_over(
        actor=actor or world.assistant_a1, application=certificate.application, **arguments
    )


class TestApplicationHandOver:
    def test_the_assistant_records_it_into_the_history(self, approve, world):
        certificate = approve("dibao", "a1")
        recorded = hand_over(world, certificate)
        assert (recorded.handed_over_on, recorded.handed_over_how) == (
            timezone.localdate(),
            HandOver.ASSISTANT,
        )
        assert recorded.handed_over_by == world.assistant_a1 and recorded.handed_over_note == "送到家中"
        event = certificate.application.events.get(act=Act.HAND_OVER)
        assert event.data["serial"] == certificate.licence_number and event.actor_role == "filer"
        assert event.data["proof"] == HandOverProof.SIGNATURE

    def test_the_signature_is_kept_as_a_png_in_private_storage(self, approve, world):
        recorded = hand_over(world, approve("dibao", "a1"))
        recorded.refresh_from_db()
        assert recorded.handed_over_proof_kind == HandOverProof.SIGNATURE
        assert recorded.handed_over_proof_type == "image/png" and len(recorded.handed_over_proof_sha256) == 64
        assert recorded.handed_over_proof.name.startswith("handovers/")
        assert recorded.handed_over_proof.storage.__class__.__name__ == "InMemoryStorage"  # "private"
        with recorded.handed_over_proof.open("rb") as stored:
            assert stored.read(8) == b"\x89PNG\r\n\x1a\n"

    def test_a_photo_of_the_signed_paper_does_instead(self, approve, world):
        recorded = hand_over(world, approve("dibao", "a1"), signature="", photo=receipt_photo())
        assert recorded.handed_over_proof_kind == HandOverProof.PHOTO
        assert recorded.handed_over_proof_type == "image/png"

    def test_the_proof_is_required(self, approve, world):
        certificate = approve("dibao", "a1")
        with pytest.raises(DomainError, match="送达回证"):
            hand_over(world, certificate, signature="", photo=None)
        certificate.refresh_from_db()
        assert certificate.handed_over_on is None
        assert not certificate.application.events.filter(act=Act.HAND_OVER).exists()

    def test_an_empty_signature_box_is_no_signature(self, approve, world):
        with pytest.raises(DomainError, match="签名框"):
            hand_over(world, approve("dibao", "a1"), signature=blank_signature_data_url())

    @pytest.mark.parametrize(
        "signature",
        [
            "data:image/png;base64,not-base64!!",
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==",  # a PNG's start, nothing after
            "data:image/jpeg;base64,/9j/4AAQ",
            "javascript:alert(1)",
            "data:image/png;base64," + "A" * 800_000,
        ],
    )
    def test_a_signature_that_is_not_a_picture_is_refused_in_words(self, signature, approve, world):
        with pytest.raises(DomainError, match="签名无法读取"):
            hand_over(world, approve("dibao", "a1"), signature=signature)

    def test_a_photo_that_is_not_a_picture_is_refused_by_the_upload_checks(self, approve, world):
        from django.core.exceptions import ValidationError
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("回执.jpg", b"MZ\x90\x00 a program", content_type="image/jpeg")
        with pytest.raises(ValidationError):
            hand_over(world, approve("dibao", "a1"), signature="", photo=fake)

    def test_it_is_offered_once(self, approve, world):
        certificate = approve("dibao", "a1")
        application = certificate.application
        assert Act.HAND_OVER in {s.act for s in selectors.steps_for(world.assistant_a1, application)}
        hand_over(world, certificate)
        application.refresh_from_db()
        assert Act.HAND_OVER not in {s.act for s in selectors.steps_for(world.assistant_a1, application)}
        with pytest.raises(DomainError, match="已于"):
            hand_over(world, certificate)

    @pytest.mark.parametrize("person", ["clerk_a", "assistant_b1", "supervisor_a", "county_admin"])
    def test_only_the_filing_station_s_assistant_records_it(self, person, approve, world):
        certificate = approve("dibao", "a1")
        with pytest.raises(NotPermitted):
            hand_over(world, certificate, actor=getattr(world, person))
        certificate.refresh_from_db()
        assert certificate.handed_over_on is None and not certificate.handed_over_proof

    def test_no_certificate_nothing_to_hand_over(self, cases, items, world):
        application = cases.accepted("dibao", "a1")
        from approvals import services as application_services

        application_services.application_approve(actor=world.clerk_a, application=application)
        with pytest.raises(DomainError, match="没有可送达"):
            services.application_hand_over(
                actor=world.assistant_a1,
                application=application,
                on=timezone.localdate(),
                how="assistant",
                signature=signature_data_url(),
            )

    @pytest.mark.parametrize("days", [1, -400])
    def test_the_date_lies_between_issue_and_today(self, days, approve, world):
        certificate = approve("dibao", "a1")
        with pytest.raises(DomainError, match="送达日期"):
            hand_over(world, certificate, on=timezone.localdate() + datetime.timedelta(days=days))

    def test_the_date_is_not_before_the_decision(self, approve, world):
        with time_machine.travel(datetime.datetime(2026, 11, 3, 10, 0, tzinfo=datetime.UTC), tick=False):
            certificate = approve("dibao", "a1")
        with time_machine.travel(datetime.datetime(2026, 11, 9, 10, 0, tzinfo=datetime.UTC), tick=False):
            with pytest.raises(DomainError, match="送达日期"):
                hand_over(world, certificate, on=datetime.date(2026, 11, 2))
            assert hand_over(
                world, certificate, on=datetime.date(2026, 11, 3)
            ).handed_over_on == datetime.date(2026, 11, 3)

    def test_a_reissued_certificate_is_handed_over_again(self, approve, world):
        certificate = approve("dibao", "a1")
        hand_over(world, certificate)
        new = services.certificate_revoke(
            actor=world.supervisor_a, certificate=certificate, reason="有误", reissue=True
        )
        recorded = hand_over(world, new, how=HandOver.IN_PERSON)
        assert recorded.pk == new.pk and recorded.handed_over_how == HandOver.IN_PERSON
