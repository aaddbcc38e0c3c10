"""Filing with the item's application form (申请表): the assistant answers it on the filing page,
without JavaScript; a draft keeps partial answers, a wrong answer is refused next to its box with
everything else kept, and nothing the filer may not set is taken from a crafted POST."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals import item_data
from approvals.models import Application, ApplicationFile
from approvals.states import State
from tests.approvals.conftest import png_upload
from tests.approvals.test_filing_views import (
    ID_NUMBER,
    WRONG_CHECK_DIGIT,
    field,
    materials_of,
    start_url,
    token_of,
    villager,
)
from tests.approvals.upload_files import reportlab_pdf
from tests.factories import make_id_number
from tests.item_forms import give_form

pytestmark = pytest.mark.django_db

SPOUSE = make_id_number(order=346)


@pytest.fixture
def assistant(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.assistant_a1)
    return client


@pytest.fixture
def dibao_form(items):
    give_form(items["dibao"])
    return items["dibao"]


def answers(**overrides) -> dict[str, str]:
    data = {
        "d-household.0.member.name": "王秀英",
        "d-household.0.member.id_number": ID_NUMBER,
        "d-household.0.member.relation": "本人",
        "d-household.0.monthly_income": "300",
        "d-household.0.work": "务农",
        "d-household.1.member.name": "李建国",
        "d-household.1.member.id_number": SPOUSE,
        "d-household.1.member.relation": "配偶",
        "d-household.1.monthly_income": "1,200.50",
        "d-reason": "因病",
        "d-has_car": "no",
        "d-bank.bank": "天津农商银行宝坻支行",
        "d-bank.account": "6217 0000 1111 2222 333",
        "d-bank.holder": "王秀英",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def files(dibao) -> dict:
    materials = materials_of(dibao)
    return {
        field(materials["居民身份证"]): png_upload("身份证.png"),
        field(materials["户口簿"]): SimpleUploadedFile("户口簿.pdf", reportlab_pdf(), "application/pdf"),
        "consent": png_upload("授权委托书.png"),
    }


def test_the_start_page_asks_the_items_questions(assistant, dibao_form):
    dibao = dibao_form
    html = assistant.get(start_url(dibao)).content.decode()
    assert "The application form (申请表)" in html
    assert 'name="d-household.0.member.id_number"' in html
    assert 'name="d-household.1.member.id_number"' not in html  # one empty row until one is filled
    assert 'name="d-reason"' in html and 'type="radio"' in html
    assert "monthly_benefit" not in html  # the office's own field (核定) is not asked


def test_an_application_with_its_answers_is_submitted_and_sealed(assistant, dibao_form):
    dibao = dibao_form
    page = assistant.get(start_url(dibao))
    response = assistant.post(
        start_url(dibao),
        {"client_token": token_of(page), **villager(), **files(dibao), **answers(), "submit": "1"},
    )
    application = Application.objects.get()
    assert response.status_code == 302, response.context and response.context["data_form"].errors
    assert application.state == State.SUBMITTED
    assert application.form_version.number == 1
    data = application.item_data
    assert data["household"][1]["monthly_income"] == 120050  # fen
    assert data["household"][0]["member"]["id_number"] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert data["bank"]["account"] == "****2333"
    full = item_data.full_data(application)
    assert full["household"][1]["member"]["id_number"] == SPOUSE
    assert full["bank"]["account"] == "6217000011112222333"
    raw = Application.objects.filter(pk=application.pk).values_list("item_secrets", flat=True).get()
    assert raw == application.item_secrets  # read back decrypted …
    from django.db import connection  # why: the stored column, not the model's decrypted value

    with connection.cursor() as cursor:
        cursor.execute("SELECT item_secrets FROM approvals_application WHERE id = %s", [application.pk])
        assert SPOUSE not in cursor.fetchone()[0]  # … and stored encrypted


def test_a_wrong_id_inside_a_household_member_is_named_and_nothing_typed_is_lost(assistant, dibao_form):
    dibao = dibao_form
    page = assistant.get(start_url(dibao))
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            **files(dibao),
            **answers(
                **{"d-household.1.member.id_number": WRONG_CHECK_DIGIT, "d-household.1.monthly_income": "-5"}
            ),
            "submit": "1",
        },
    )
    assert response.status_code == 200
    application = Application.objects.get()
    assert application.state == State.DRAFT
    html = response.content.decode()
    assert "家庭成员 2 · 成员 · ID number" in html
    assert "家庭成员 2 · 月收入" in html and "cannot be negative" in html
    assert f'value="{WRONG_CHECK_DIGIT}"' in html and 'value="李建国"' in html  # what was typed
    assert ApplicationFile.objects.filter(application=application).count() == 3  # the files are stored
    # The answers that passed are kept on the draft.
    assert application.item_data["reason"] == "因病"
    assert application.item_data["household"][0]["member"]["name"] == "王秀英"


def test_a_draft_keeps_partial_answers_and_submit_names_what_is_missing(assistant, dibao_form):
    dibao = dibao_form
    page = assistant.get(start_url(dibao))
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            **answers(**{"d-bank.bank": None, "d-bank.account": None, "d-bank.holder": None}),
            "save": "1",
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert "bank" not in application.item_data and application.item_data["reason"] == "因病"
    edit = reverse("approvals:edit", args=[application.pk])
    html = assistant.get(edit).content.decode()
    assert 'value="李建国"' in html
    assert 'name="d-household.2.member.name"' in html  # a spare row after the two members
    response = assistant.post(
        edit,
        {
            **answers(**{"d-bank.bank": None, "d-bank.account": None, "d-bank.holder": None}),
            **files(dibao),
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert Application.objects.get().state == State.DRAFT
    html = response.content.decode()
    assert "低保金发放账户 · Bank" in html


def test_a_car_makes_the_car_note_required(assistant, dibao_form):
    dibao = dibao_form
    page = assistant.get(start_url(dibao))
    response = assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            **files(dibao),
            **answers(**{"d-has_car": "yes"}),
            "submit": "1",
        },
    )
    assert response.status_code == 200
    assert "车辆情况" in response.content.decode()
    assert Application.objects.get().state == State.DRAFT


def test_the_filer_cannot_set_the_offices_field(assistant, dibao_form):
    dibao = dibao_form
    page = assistant.get(start_url(dibao))
    assistant.post(
        start_url(dibao),
        {
            "client_token": token_of(page),
            **villager(),
            **files(dibao),
            **answers(**{"d-monthly_benefit": "99999"}),
            "submit": "1",
        },
    )
    application = Application.objects.get()
    assert application.state == State.SUBMITTED
    assert "monthly_benefit" not in application.item_data


def test_an_item_without_a_form_files_as_before(assistant, items):
    html = assistant.get(start_url(items["dibao"])).content.decode()
    assert "The application form (申请表)" not in html
    assert "2. Materials" in html
