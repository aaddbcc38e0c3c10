"""Issue 18, gap 14: the item editor checks the item code by the import's rule (one validator,
services_catalog.item_codes) and takes the page's address from the checked code."""

import pytest

from services_catalog.models import ItemType, ServiceItemPage, ServiceItemPageForm


def _data(code: str, world, **extra) -> dict:
    data = {
        "title": "农村宅基地建房审批",
        "slug": "whatever-the-title-gave",
        "item_code": code,
        "item_type": ItemType.LICENSING,
        "department": str(world.d1.pk),
        "conditions": "具有本村户籍",
        "steps": "申请\n审批",
        "legal_limit_days": "20",
        "promised_limit_days": "10",
        "visits": "1",
    }
    for prefix, total in (("materials", 0), ("legal_bases", 1), ("special_procedures", 0), ("comments", 0)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(total),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update({"legal_bases-0-text": "《土地管理法》第六十二条", "legal_bases-0-ORDER": "1"})
    data.update({"application_form-count": "0", "certificate_layout-count": "0"})  # no form
    data.update(extra)
    return data


def _form(guide, world, code: str, **extra):
    form_class = ServiceItemPage.get_edit_handler().get_form_class()
    return form_class(
        _data(code, world, **extra),
        instance=ServiceItemPage(),
        parent_page=guide,
        for_user=world.county_admin,
    )


@pytest.mark.parametrize(
    "code", ["abc", "120115 XK 002", "120116-XK-002", "120115-XK-0O2", "１２０１１５-XK-002"]
)
def test_the_editor_refuses_a_bad_code(guide, world, code):
    form = _form(guide, world, code)
    assert not form.is_valid()
    assert "item_code" in form.errors


def test_the_editor_refuses_a_type_code_that_is_not_the_items_type(guide, world):
    form = _form(guide, world, "120115-JF-002")
    assert not form.is_valid()
    assert "XK" in form.errors["item_code"][0]


def test_the_editor_takes_the_address_from_the_code(guide, world):
    form = _form(guide, world, "120115-XK-002")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["slug"] == "120115-xk-002"


def test_the_back_office_edit_page_uses_the_checking_form(client, guide, dibao, world):
    from django.urls import reverse

    from portal.people.models import User

    admin = User.objects.create_superuser("root_editor", password="x-long-enough-2026")
    client.force_login(admin)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[dibao.pk]))
    assert response.status_code == 200
    assert isinstance(response.context["form"], ServiceItemPageForm)
    add = client.get(
        reverse("wagtailadmin_pages:add", args=["services_catalog", "serviceitempage", guide.pk])
    )
    assert add.status_code == 200


def test_the_editor_refuses_online_filing_for_an_item_not_done_online(guide, world):
    form = _form(guide, world, "120115-XK-002", online_filing="on", village_proxy="on")
    assert not form.is_valid()
    assert "online_filing" in form.errors


def test_the_editor_accepts_online_filing_with_online_and_village_proxy(guide, world):
    form = _form(guide, world, "120115-XK-002", online_filing="on", village_proxy="on", online="on")
    assert form.is_valid(), form.errors
