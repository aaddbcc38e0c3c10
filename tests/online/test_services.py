"""The link to the villager's phone through the services: sending, the code, one browser,
expiry, withdrawal, guessing, what may be touched, the signed authorisation and its hash."""

import hashlib
import secrets
import shutil
import subprocess
import tempfile
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from approvals import services as approvals_services
from approvals.models import Application, ApplicationEvent, ApplicationFile, TrackingCode
from approvals.states import Act, State
from online import services
from online.consent import canonical, consent_verify, digest
from online.models import Consent, RemoteLink
from portal.errors import DomainError, NotPermitted
from portal.outbox.models import OutboxMessage
from tests.item_forms import give_form
from tests.online.conftest import Phone, last_text, signature_data_url

pytestmark = pytest.mark.django_db


def test_the_text_carries_the_link_and_no_code_and_only_the_hash_is_kept(send, draft, residents):
    token = send(note="户口簿 请拍清楚")
    message = last_text("remote-link")
    assert message.to_mobile == residents["a1"].mobile
    assert f"/m/{token}/" in message.body
    assert not TrackingCode.objects.exists()  # the code comes in its own text, on opening
    link = RemoteLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM online_remotelink")
        assert token not in repr(cursor.fetchall())
    assert link.expires_at - link.created_at == timedelta(hours=48)
    event = draft.events.get(act=Act.REMOTE_LINK_SENT)
    assert event.actor_id == link.sent_by_id and event.comment == "户口簿 请拍清楚"


def test_a_typed_mobile_is_used_instead_of_the_one_on_file(send):
    send(mobile="13700001111")
    assert last_text("remote-link").to_mobile == "13700001111"
    assert RemoteLink.objects.get().mobile == "13700001111"


def test_the_code_opens_the_link_in_this_browser_only(send, residents):
    token = send()
    phone = Phone(token)
    code = phone.ask_code()
    assert last_text("one-time-code").to_mobile == residents["a1"].mobile
    with pytest.raises(services.NotOpened):
        services.remote_access(token=token, browser=phone.browser)
    link = phone.open(code)
    assert link.bound_at is not None
    assert services.remote_access(token=token, browser=phone.browser).pk == link.pk
    with pytest.raises(services.NotOpened):
        services.remote_access(token=token, browser="another browser's value")


def test_an_unknown_token_gets_the_same_answers_and_no_text(send):
    token = send()
    invented = secrets.token_urlsafe(24)
    texts = OutboxMessage.objects.count()
    Phone(invented).ask_code()  # no refusal: the same answer as for a real link
    assert OutboxMessage.objects.count() == texts
    assert TrackingCode.objects.filter(scope=TrackingCode.Scope.REMOTE).count() == 1
    refusals = []
    for value in (invented, token):
        phone = Phone(value)
        phone.ask_code()
        with pytest.raises(services.RemoteRefused) as refused:
            phone.open("000000" if value == invented else "999999")
        refusals.append(str(refused.value))
    assert refusals[0] == refusals[1]


def test_the_link_expires(send, settings):
    settings.CUNBAN_REMOTE_LINK_HOURS = 2
    token = send()
    phone = Phone(token)
    phone.open()
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        with pytest.raises(services.RemoteRefused, match="expired"):
            services.remote_access(token=token, browser=phone.browser)
        assert Phone(token).ask_code() is None  # an expired link texts no code


def test_a_withdrawn_link_opens_no_more(send, world, draft):
    token = send()
    phone = Phone(token)
    phone.open()
    link = RemoteLink.objects.get()
    services.remote_link_revoke(actor=world.assistant_a1, link=link)
    services.remote_link_revoke(actor=world.assistant_a1, link=link)  # twice: nothing more
    with pytest.raises(services.RemoteRefused, match="withdrew"):
        services.remote_access(token=token, browser=phone.browser)
    assert Phone(token).ask_code() is None
    assert draft.events.filter(act=Act.REMOTE_LINK_REVOKED).count() == 1


def test_a_link_handed_back_is_not_used_again(send, required_materials, world):
    token = send()
    phone = Phone(token)
    phone.open()
    services.remote_link_finish(token=token, browser=phone.browser)
    with pytest.raises(services.RemoteRefused, match="handed this back"):
        phone.upload(required_materials[0])
    assert last_text("remote-finished").to_user_id == world.assistant_a1.pk
    code = phone.ask_code()
    assert code is None  # nor opened again with a code


def test_a_code_works_once(send):
    token = send()
    phone = Phone(token)
    code = phone.ask_code()
    phone.open(code)
    other = Phone(token)
    with pytest.raises(services.RemoteRefused):
        other.open(code)  # a code works only in the browser that asked, and only once


def test_ten_wrong_codes_lock_the_link_but_not_a_new_one(send, draft):
    token = send()
    phone = Phone(token)
    phone.ask_code()
    for _ in range(10):
        with pytest.raises(services.RemoteRefused):
            phone.open("000000")
    code = phone.ask_code()
    assert code is None  # a locked link texts no more codes …
    with pytest.raises(services.RemoteRefused, match="Too many wrong codes"):
        phone.open("123456")
    fresh = Phone(send())
    assert fresh.open().bound_at is not None  # … and the assistant's new link opens


def test_the_link_opens_on_one_phone_only(send):
    token = send()
    Phone(token).open()
    second = Phone(token, address="198.51.100.9")
    with pytest.raises(services.OtherDevice, match="another phone"):
        second.open()
    with pytest.raises(services.NotOpened):
        services.remote_access(token=token, browser=second.browser)


def test_another_stations_assistant_may_not_send_or_withdraw(send, world, draft):
    with pytest.raises(NotPermitted):
        services.remote_link_send(actor=world.assistant_b1, application=draft, consent=True)
    send()
    with pytest.raises(NotPermitted):
        services.remote_link_revoke(actor=world.assistant_b1, link=RemoteLink.objects.get())
    with pytest.raises(NotPermitted):
        services.remote_link_send(actor=world.clerk_a, application=draft, consent=True)


def test_nothing_asked_or_a_material_of_another_item_is_refused(send, world, draft, items):
    with pytest.raises(DomainError, match="at least one"):
        services.remote_link_send(actor=world.assistant_a1, application=draft, consent=False)
    other = items["housing"].materials.first()
    if other is not None:
        with pytest.raises(DomainError, match="checklist"):
            services.remote_link_send(actor=world.assistant_a1, application=draft, materials=[other.pk])


def test_the_villager_uploads_only_what_was_asked(send, draft, required_materials):
    asked, not_asked = required_materials[0], required_materials[1]
    token = send(materials=[asked.pk], consent=False)
    phone = Phone(token)
    phone.open()
    record = phone.upload(asked)
    assert record.origin == ApplicationFile.Origin.VILLAGER_PHONE and record.uploaded_by is None
    with pytest.raises(NotPermitted):
        phone.upload(not_asked)
    with pytest.raises(NotPermitted):
        services.remote_consent_sign(
            token=token,
            browser=phone.browser,
            name="张小明",
            method="signature",
            signature=signature_data_url(),
        )
    assert list(draft.files.values_list("material_id", flat=True)) == [asked.pk]
    event = draft.events.get(act=Act.VILLAGER_UPLOADED)
    assert (
        event.actor is None and event.actor_role == "villager" and event.actor_office_id == draft.station_id
    )


def test_a_refused_file_says_why_and_keeps_nothing(send, draft, required_materials, settings):
    settings.CUNBAN_UPLOAD_MAX_BYTES = 2000
    phone = Phone(send())
    phone.open()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        phone.upload(
            required_materials[0], SimpleUploadedFile("x.exe", b"MZ\x90\x00" + b"\0" * 100, "image/png")
        )
    assert not draft.files.exists()


def test_nothing_changes_once_the_application_is_submitted(send, draft, required_materials, world):
    phone = Phone(send())
    phone.open()
    for material in required_materials:
        phone.upload(material)
    phone.sign()
    approvals_services.application_submit(actor=world.assistant_a1, application=draft)
    with pytest.raises(services.RemoteRefused, match="already handed in"):
        phone.upload(required_materials[0])


def test_the_villager_answers_the_asked_fields_never_an_office_field(send, world, residents, items):
    give_form(items["dibao"])
    application = approvals_services.draft_start(
        actor=world.assistant_a1, item=items["dibao"], village=world.village_a1
    )
    approvals_services.draft_update(
        actor=world.assistant_a1, application=application, resident=residents["a1"]
    )
    application.refresh_from_db()
    with pytest.raises(DomainError):
        services.remote_link_send(
            actor=world.assistant_a1, application=application, fields=["monthly_benefit"]
        )
    phone = Phone(send(application=application, materials=[], fields=["reason"], consent=False))
    phone.open()
    parsed = services.remote_fields_save(
        token=phone.token,
        browser=phone.browser,
        raw={"reason": "因病", "monthly_benefit": "900", "has_car": "yes"},
    )
    assert not parsed.errors
    application.refresh_from_db()
    assert application.item_data.get("reason") == "因病"
    assert "monthly_benefit" not in application.item_data and "has_car" not in application.item_data
    event = application.events.get(act=Act.VILLAGER_ANSWERED)
    assert event.actor is None and event.data["keys"] == ["reason"]


def test_the_signed_authorisation_counts_for_submission(send, draft, required_materials, world):
    phone = Phone(send())
    phone.open()
    for material in required_materials:
        phone.upload(material)
    problems = approvals_services.missing_for_submission(draft)
    assert any("授权委托书" in problem for problem in problems)
    consent = phone.sign()
    assert approvals_services.missing_for_submission(draft) == []
    assert consent.file.kind == ApplicationFile.Kind.CONSENT and consent.file.from_villager_phone
    submitted, done = approvals_services.application_submit(actor=world.assistant_a1, application=draft)
    assert done and submitted.state == State.SUBMITTED
    event = ApplicationEvent.objects.get(application=draft, act=Act.VILLAGER_CONSENTED)
    assert consent.sha256 in event.comment and event.actor is None


def test_the_consent_hash_is_stable_and_verifiable(send, draft):
    phone = Phone(send(materials=[]))
    phone.open()
    consent = phone.sign()
    consent = Consent.objects.select_related("application").get(pk=consent.pk)
    assert consent_verify(consent)
    again = canonical(
        application_pk=draft.pk,
        item=draft.item_title,
        text_version=consent.text_version,
        text=consent.text,
        name=consent.name,
        id_masked=consent.id_masked,
        signed_at=consent.signed_at,
        mobile=consent.mobile,
        user_agent=consent.user_agent,
        method=consent.method,
        signature_sha256=consent.signature_sha256,
    )
    assert digest(again) == consent.sha256
    assert "张小明" in consent.text or consent.name == "张小明"
    assert consent.id_masked.count("*") >= 8 and consent.mobile == draft.applicant_mobile
    consent.name = "李四"
    assert not consent_verify(consent)
    with pytest.raises(ValidationError):
        Consent.objects.get(pk=consent.pk).save()
    with pytest.raises(ValidationError):
        Consent.objects.get(pk=consent.pk).delete()


def test_signing_with_the_typed_name_needs_a_fresh_code(send):
    phone = Phone(send(materials=[]))
    phone.open()
    with pytest.raises(services.RemoteRefused):
        phone.sign(method="typed", code="123456")
    code = phone.ask_code(purpose="sign")
    assert code is not None and "授权委托书" in last_text("one-time-code").body
    with pytest.raises(ValidationError, match="name of the villager"):
        phone.sign(name="王五", method="typed", code=code)
    consent = phone.sign(method="typed", code=code)
    assert consent.method == Consent.Method.TYPED and not consent.signature


def test_an_empty_signature_is_refused(send):
    phone = Phone(send(materials=[]))
    phone.open()
    with pytest.raises(ValidationError, match="empty"):
        phone.sign(signature=signature_data_url(blank=True))
    with pytest.raises(ValidationError):
        phone.sign(signature="data:image/png;base64,bm90IGEgcG5n")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext (poppler-utils)")
def test_the_printed_authorisation_says_it_in_chinese(send, draft):
    phone = Phone(send(materials=[]))
    phone.open()
    consent = phone.sign()
    with consent.file.file.open("rb") as handle, tempfile.NamedTemporaryFile(suffix=".pdf") as out:
        out.write(handle.read())
        out.flush()
        text = subprocess.run(["pdftotext", out.name, "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "授权委托书" in flat
    assert "张小明" in flat and draft.item_title in flat
    assert consent.sha256[:32] in flat and consent.sha256[32:] in flat
    assert Application.objects.get(pk=draft.pk).files.filter(kind="consent").count() == 1


def test_a_returned_application_is_supplemented_from_the_phone(cases, world, send):
    from approvals.services import MissingItem

    application = cases.submitted()
    hukou = application.item.materials.get(name="户口簿")
    approvals_services.application_assign(actor=world.clerk_a, application=application)
    approvals_services.application_return(
        actor=world.clerk_a,
        application=application,
        items=[MissingItem(material=hukou, reason="只拍了首页，缺本人那一页。")],
    )
    application.refresh_from_db()
    assert application.state == State.RETURNED
    assert approvals_services.open_notice_lines(application)
    phone = Phone(send(application=application, materials=[hukou.pk], consent=False, note="补拍户口簿本人页"))
    phone.open()
    phone.upload(hukou)
    assert approvals_services.open_notice_lines(application) == []
    approvals_services.application_resubmit(actor=world.assistant_a1, application=application)
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_a_phone_photo_keeps_no_gps_position(send, draft, required_materials):
    """A villager's photo often carries where it was taken (their workplace far away): the
    stored copy has no EXIF at all, and is turned upright as the phone meant."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tests.files.photo_files import jpeg, paper_photo

    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was held on its side
    exif.get_ifd(0x8825).update({1: "N", 2: (31.0, 23.0, 4.0), 3: "E", 4: (120.0, 57.0, 30.0)})
    photo = jpeg(paper_photo((1200, 900)), quality=85, exif=exif)
    assert b"GPS" in photo or Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)
    phone = Phone(send())
    phone.open()
    stored = phone.upload(required_materials[0], SimpleUploadedFile("昆山.jpg", photo, "image/jpeg"))
    with stored.file.open("rb") as handle:
        kept = Image.open(io.BytesIO(handle.read()))
    assert not kept.getexif().get_ifd(0x8825) and 0x0112 not in kept.getexif()
    assert kept.size[1] > kept.size[0]  # upright: the turn is in the pixels now
    assert stored.origin == "villager_phone"
