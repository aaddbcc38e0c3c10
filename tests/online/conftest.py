"""网办 on top of the applications' world: a draft of 张小明 (village A1) with no papers yet, the
assistant's link to his phone, and a `Phone` that plays his browser (its random session value)
through the services, reading the texts from the outbox as the phone would."""

import base64
import io
import re
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageDraw

from approvals import services as approvals_services
from approvals.models import Application
from online import services
from portal.outbox.models import OutboxMessage
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.files.photo_files import jpeg, paper_photo
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

ADDRESS = "203.0.113.20"


def link_token(message: OutboxMessage) -> str:
    return re.search(r"/m/([A-Za-z0-9_-]+)/", message.body).group(1)


def last_text(topic: str, mobile: str | None = None) -> OutboxMessage | None:
    rows = OutboxMessage.objects.filter(topic=topic)
    if mobile:
        rows = rows.filter(to_mobile=mobile)
    return rows.order_by("-pk").first()


def code_in(message: OutboxMessage) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", message.body).group(1)


def photo_upload(name: str = "身份证.jpg") -> SimpleUploadedFile:
    """A phone's photo of a paper the checks on the villager's uploads accept (large and light
    enough to read), small enough to keep the tests quick."""
    return SimpleUploadedFile(name, jpeg(paper_photo((900, 675)), quality=80), "image/jpeg")


def signature_data_url(blank: bool = False) -> str:
    image = Image.new("RGBA", (600, 240), (255, 255, 255, 0))
    if not blank:
        ImageDraw.Draw(image).line(
            [(40, 180), (200, 60), (360, 190), (560, 70)], fill=(0, 0, 0, 255), width=6
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


class Phone:
    """One browser on the villager's phone (its own random value, as its session would hold)."""

    def __init__(self, token: str, address: str = ADDRESS):
        self.token, self.address = token, address
        self.browser = secrets.token_urlsafe(24)

    def ask_code(self, purpose: str = "open") -> str | None:
        before = OutboxMessage.objects.filter(topic="one-time-code").count()
        services.remote_code_send(
            token=self.token, address=self.address, browser=self.browser, purpose=purpose
        )
        rows = OutboxMessage.objects.filter(topic="one-time-code").order_by("pk")
        return code_in(rows.last()) if rows.count() > before else None

    def open(self, code: str | None = None):
        code = code if code is not None else self.ask_code()
        return services.remote_link_open(
            token=self.token, code=code, address=self.address, browser=self.browser
        )

    def upload(self, material, upload=None):
        return services.remote_upload(
            token=self.token, browser=self.browser, material_id=material.pk, uploaded=upload or photo_upload()
        )

    def sign(self, name: str = "张小明", **kwargs):
        kwargs.setdefault("method", "signature")
        if kwargs["method"] == "signature":
            kwargs.setdefault("signature", signature_data_url())
        return services.remote_consent_sign(
            token=self.token,
            browser=self.browser,
            name=name,
            user_agent="Mozilla/5.0 (Linux; Android 14)",
            **kwargs,
        )


@pytest.fixture
def draft(world, items, residents):  # noqa: F811
    """张小明's 低保 draft at station A1: the villager chosen, nothing uploaded, no consent."""
    application = approvals_services.draft_start(
        actor=world.assistant_a1, item=items["dibao"], village=world.village_a1
    )
    approvals_services.draft_update(
        actor=world.assistant_a1, application=application, resident=residents["a1"]
    )
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def required_materials(draft):
    return [m for m in draft.item.materials.all() if m.required and not m.may_be_missing]


@pytest.fixture
def send(world, draft, required_materials):
    """Send a link for the draft; returns the token read from the text message."""

    def sending(actor=None, application=None, **kwargs) -> str:
        kwargs.setdefault("materials", [m.pk for m in required_materials])
        services.remote_link_send(
            actor=actor or world.assistant_a1, application=application or draft, **kwargs
        )
        return link_token(last_text("remote-link"))

    return sending


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched in English (the pages' default is Chinese)."""
    with translation.override("en"):
        yield
