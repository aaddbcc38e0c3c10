"""Applications on top of the shared world: items (delegated, second approval, county-only),
villagers in villages of both townships, and a `cases` helper that files and drives them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from approvals import services
from approvals.models import Application, ApplicationFile
from portal.people.services import resident_register
from services_catalog.models import DelegationMode, SpecialProcedure
from tests.factories import make_id_number
from tests.services_catalog.conftest import delegate, delegate_item, dibao, guide, make_item  # noqa: F401
from tests.sharing import shareable, shared


def png_upload(name: str = "scan.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def build_items(county_guide, low_income, world) -> dict:
    """dibao: entrusted to both centres; housing: delegated with a second approval and a 公示;
    relief: not delegated (the county department handles it)."""
    delegate_item(low_income, [world.centre_a, world.centre_b])
    housing = make_item(
        county_guide, world.d1, code="120115-XK-002", title="农村宅基地建房审批", needs_second_approval=True
    )
    SpecialProcedure.objects.create(page=housing, name="公示", working_days=5)
    delegate_item(housing, [world.centre_a], mode=DelegationMode.AUTHORISATION, number="宝坻政发〔2024〕13号")
    relief = make_item(county_guide, world.d1, code="120115-JF-003", title="临时救助审批")
    return {"dibao": low_income, "housing": housing, "relief": relief}


@pytest.fixture
def items(request, guide, dibao, delegate, world):  # noqa: F811
    """The three items, built once per module (tests/sharing.py)."""
    return shared(request, "items")


def build_residents(world) -> dict:
    a1, _ = resident_register(
        actor=None,
        name="张小明",
        id_number=make_id_number(order=101),
        mobile="13812345678",
        village=world.village_a1,
    )
    b1, _ = resident_register(
        actor=None,
        name="李大山",
        id_number=make_id_number(order=202),
        mobile="13887654321",
        village=world.village_b1,
    )
    return {"a1": a1, "b1": b1}


@pytest.fixture
def residents(request, world):
    """张小明 of village A1 and 李大山 of village B1, built once per module."""
    return shared(request, "residents")


shareable("items", items)(lambda get: build_items(get("guide"), get("dibao"), get("world")))
shareable("residents", residents)(lambda get: build_residents(get("world")))


class Cases:
    """Builds applications in a given state through the services, as the people would."""

    def __init__(self, world, items, residents):
        self.world, self.items, self.residents = world, items, residents

    def draft(self, item="dibao", where="a1") -> Application:
        assistant = self.world.assistant_a1 if where == "a1" else self.world.assistant_b1
        village = self.world.village_a1 if where == "a1" else self.world.village_b1
        application = services.draft_start(actor=assistant, item=self.items[item], village=village)
        services.draft_update(actor=assistant, application=application, resident=self.residents[where])
        for material in application.item.materials.all():
            if material.required and not material.may_be_missing:
                services.file_attach(
                    actor=assistant,
                    application=application,
                    kind=ApplicationFile.Kind.MATERIAL,
                    material=material,
                    uploaded=png_upload(f"{material.name}.png"),
                )
        services.file_attach(
            actor=assistant,
            application=application,
            kind=ApplicationFile.Kind.CONSENT,
            uploaded=png_upload("授权.png"),
        )
        return Application.objects.get(pk=application.pk)

    def submitted(self, item="dibao", where="a1") -> Application:
        application = self.draft(item, where)
        assistant = application.filed_by
        application, _ = services.application_submit(actor=assistant, application=application)
        return application

    def accepted(self, item="dibao", where="a1") -> Application:
        application = self.submitted(item, where)
        clerk = self.world.clerk_a if where == "a1" else self.world.clerk_b
        if application.current_office.kind == "department":
            clerk = self.world.officer_d1
        return services.application_accept(actor=clerk, application=application)


@pytest.fixture
def cases(world, items, residents) -> Cases:
    return Cases(world, items, residents)
