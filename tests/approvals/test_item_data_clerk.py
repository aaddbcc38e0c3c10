"""Issue 19: the clerk sees the application form's answers and works with them — the summary on
the application's page (masked), a correction with its reason (更正), an office entry (核定), a
return that names a field of the form, and the history showing each change before → after."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from approvals import item_data, services
from approvals.models import Application, ApplicationEvent, NoticeItem
from approvals.states import Act, State
from services_catalog.item_forms.schema import digest, parse_definition
from services_catalog.item_forms.values import flatten
from services_catalog.models import ItemFormVersion
from tests.approvals.conftest import cases, delegate, dibao, guide, items, residents  # noqa: F401
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

DEFINITION = {
    "sections": [
        {
            "title": "家庭情况",
            "fields": [
                {"key": "income", "kind": "money", "label": "家庭月收入", "required": True, "min": "0"},
                {
                    "key": "household",
                    "kind": "group",
                    "label": "家庭成员",
                    "max_items": 8,
                    "fields": [
                        {"key": "member", "kind": "person", "label": "成员", "required": True},
                        {"key": "monthly_income", "kind": "money", "label": "月收入"},
                    ],
                },
                {"key": "bank", "kind": "bank_account", "label": "收款账户"},
            ],
        },
        {
            "title": "乡镇核定",
            "fields": [{"key": "amount", "kind": "money", "label": "月保障金额", "office_only": True}],
        },
    ]
}
SPOUSE_ID = make_id_number(birth="19800101", order=317)
ACCOUNT = "6228480012345678"


@pytest.fixture
def form_version(items):  # noqa: F811
    definition = parse_definition(DEFINITION).to_json()
    return ItemFormVersion.objects.create(
        item=items["dibao"],
        number=2,
        definition=definition,
        digest=digest(definition),
        published_at=timezone.now(),
    )


@pytest.fixture
def filed(cases, world, form_version, demo_day):  # noqa: F811
    """A 低保 application filed with its form answered: two household members and an account."""
    draft = cases.draft()
    parsed = services.item_data_save(
        actor=world.assistant_a1,
        application=draft,
        raw={
            "income": "1280",
            "household.0.member.name": "张小明",
            "household.0.member.id_number": draft.resident.id_number,
            "household.0.member.relation": "本人",
            "household.0.monthly_income": "800",
            "household.1.member.name": "王秀兰",
            "household.1.member.id_number": SPOUSE_ID,
            "household.1.member.relation": "配偶",
            "household.1.monthly_income": "480",
            "bank.bank": "农村商业银行宝坻支行",
            "bank.account": ACCOUNT,
            "bank.holder": "张小明",
        },
    )
    assert not parsed.errors, parsed.errors
    application, _ = services.application_submit(
        actor=world.assistant_a1, application=Application.objects.get(pk=draft.pk)
    )
    assert application.form_version == form_version
    return Application.objects.get(pk=application.pk)


def _detail(client, application) -> str:
    response = client.get(reverse("approvals:detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _correct_url(application, key: str) -> str:
    return reverse("approvals:item_data", args=[application.pk, key])


# -- the summary ---------------------------------------------------------------------------------


def test_the_detail_page_shows_the_form_section_by_section_masked(client, world, filed):
    client.force_login(world.clerk_a)
    html = _detail(client, filed)
    assert "申请表 第2版" in html
    assert "家庭情况" in html and "乡镇核定" in html
    assert "家庭成员 1" in html and "家庭成员 2" in html and "王秀兰（配偶）" in html
    assert "1,280" in html  # 家庭月收入, in yuan
    assert SPOUSE_ID not in html and filed.resident.id_number not in html and ACCOUNT not in html
    assert f"{SPOUSE_ID[:4]}" in html and SPOUSE_ID[-4:] in html
    assert "****5678" in html
    # The handling clerk may correct an answer and enter the office's field.
    assert _correct_url(filed, "income") in html and _correct_url(filed, "amount") in html
    assert "核定" in html


def test_who_may_not_correct_sees_no_links(client, world, filed):
    client.force_login(world.assistant_a1)
    html = _detail(client, filed)
    assert "家庭月收入" in html
    assert _correct_url(filed, "income") not in html


def test_the_detail_page_query_count_is_pinned(client, world, filed, django_assert_max_num_queries):
    client.force_login(world.clerk_a)
    with django_assert_max_num_queries(45) as few:
        _detail(client, filed)
    baseline = len(few.captured_queries)
    # More changes in the history and more household members read no more rows one by one.
    for number, amount in enumerate(("900", "950", "1000")):
        services.item_data_correct(
            actor=world.clerk_a,
            application=Application.objects.get(pk=filed.pk),
            key="income",
            raw={"income": amount},
            reason=f"核实第{number + 1}次",
        )
    services.item_data_correct(
        actor=world.clerk_a,
        application=Application.objects.get(pk=filed.pk),
        key="amount",
        raw={"amount": "600"},
        reason="",
    )
    with django_assert_max_num_queries(baseline):
        html = _detail(client, filed)
    assert "核实第3次" in html


# -- correcting (更正) and entering (核定) ---------------------------------------------------------


def test_a_correction_with_its_reason_is_recorded_and_shown(client, world, filed):
    client.force_login(world.clerk_a)
    url = _correct_url(filed, "income")
    page = client.get(url)
    assert page.status_code == 200 and 'value="1280"' in page.content.decode()
    response = client.post(
        url, {"version": filed.version, "d-income": "1500", "reason": "村委会证明收入为1500元"}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "approvals:detail", args=[filed.pk]
    )
    event = ApplicationEvent.objects.get(application=filed, act=Act.DATA_CORRECTED)
    assert event.comment == "村委会证明收入为1500元"
    (change,) = event.data["changes"]
    assert change["key"] == "income" and change["field"] == "家庭月收入"
    assert change["before"].startswith("1,280") and change["after"].startswith("1,500")
    assert Application.objects.get(pk=filed.pk).item_data["income"] == 150000
    html = _detail(client, filed)
    assert f"家庭月收入: {change['before']} → <strong>{change['after']}</strong>" in html
    assert "村委会证明收入为1500元" in html


def test_a_correction_without_a_reason_is_refused_and_keeps_what_was_typed(client, world, filed):
    client.force_login(world.clerk_a)
    response = client.post(_correct_url(filed, "income"), {"version": filed.version, "d-income": "1500"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="1500"' in html and "更正理由" in html
    assert not ApplicationEvent.objects.filter(application=filed, act=Act.DATA_CORRECTED).exists()
    assert Application.objects.get(pk=filed.pk).item_data["income"] == 128000


def test_a_wrong_value_names_the_field_and_keeps_what_was_typed(client, world, filed):
    client.force_login(world.clerk_a)
    response = client.post(
        _correct_url(filed, "income"), {"version": filed.version, "d-income": "一千五", "reason": "核实"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="一千五"' in html and "家庭月收入" in html and 'aria-invalid="true"' in html
    assert not ApplicationEvent.objects.filter(application=filed, act=Act.DATA_CORRECTED).exists()


def test_a_refusal_of_the_service_is_a_message(client, world, filed):
    client.force_login(world.clerk_a)
    response = client.post(
        _correct_url(filed, "income"), {"version": filed.version, "d-income": "1280", "reason": "核实"}
    )
    assert response.status_code == 400
    assert "nothing was changed" in response.content.decode() or "未作更改" in response.content.decode()


def test_the_office_enters_its_own_field_without_a_reason_the_first_time(client, world, filed):
    client.force_login(world.clerk_a)
    url = _correct_url(filed, "amount")
    assert "核定" in client.get(url).content.decode()
    response = client.post(url, {"version": filed.version, "d-amount": "620", "reason": ""})
    assert response.status_code == 302
    event = ApplicationEvent.objects.get(application=filed, act=Act.DATA_ASSESSED)
    after = event.data["changes"][0]["after"]
    assert after.startswith("620")
    html = _detail(client, filed)
    assert f"月保障金额: — → <strong>{after}</strong>" in html
    # A second entry changes a value: it needs the reason.
    filed.refresh_from_db()
    response = client.post(url, {"version": filed.version, "d-amount": "650", "reason": ""})
    assert response.status_code == 400


def test_a_member_changed_keeps_the_id_numbers_shown_masked(client, world, filed):
    """The page shows the household's ID numbers masked; left as shown they stay as kept."""
    client.force_login(world.clerk_a)
    url = _correct_url(filed, "household")
    html = client.get(url).content.decode()
    assert SPOUSE_ID not in html
    masked = filed.item_data["household"][1]["member"]["id_number"]
    assert f'value="{masked}"' in html
    data = {
        "version": filed.version,
        "reason": "王秀兰的收入证明为520元",
        "d-household.0.member.name": "张小明",
        "d-household.0.member.id_number": filed.item_data["household"][0]["member"]["id_number"],
        "d-household.0.member.relation": "本人",
        "d-household.0.monthly_income": "800",
        "d-household.1.member.name": "王秀兰",
        "d-household.1.member.id_number": masked,
        "d-household.1.member.relation": "配偶",
        "d-household.1.monthly_income": "520",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get(pk=filed.pk)
    full = item_data.full_data(application)
    assert full["household"][1]["member"]["id_number"] == SPOUSE_ID
    assert full["household"][1]["monthly_income"] == 52000
    event = ApplicationEvent.objects.get(application=filed, act=Act.DATA_CORRECTED)
    assert "520" in event.data["changes"][0]["after"] and SPOUSE_ID not in str(event.data)


def test_only_the_handling_office_opens_the_page(client, world, filed):
    url = _correct_url(filed, "income")
    for person in (world.assistant_a1, world.clerk_b, world.officer_d1):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": filed.version, "d-income": "1", "reason": "x"}).status_code == 404
    client.force_login(world.supervisor_a)  # the supervisor handles the centre's work too
    assert client.get(url).status_code == 200
    client.force_login(world.clerk_a)
    assert client.get(_correct_url(filed, "nonesuch")).status_code == 404
    assert Application.objects.get(pk=filed.pk).item_data["income"] == 128000


def test_a_decided_application_can_no_longer_be_corrected(client, world, filed):
    services.application_accept(actor=world.clerk_a, application=filed)
    services.application_approve(actor=world.clerk_a, application=Application.objects.get(pk=filed.pk))
    client.force_login(world.clerk_a)
    response = client.get(_correct_url(filed, "income"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "approvals:detail", args=[filed.pk]
    )
    assert _correct_url(filed, "income") not in _detail(client, filed)


# -- a return that names a field -----------------------------------------------------------------


def _return_naming_household(client, application) -> None:
    url = reverse("approvals:act", args=[application.pk, Act.RETURN])
    assert "申请表：家庭成员" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "version": application.version,
            "f_household": "on",
            "fr_household": "家庭成员 2 的收入证明与填写的月收入不符",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_return_names_a_field_of_the_form(client, world, filed):
    client.force_login(world.clerk_a)
    page = client.get(reverse("approvals:act", args=[filed.pk, Act.RETURN])).content.decode()
    assert "申请表：月保障金额" not in page  # the office's own field is not the villager's to fix
    _return_naming_household(client, filed)
    line = NoticeItem.objects.get(notice__application=filed)
    assert line.field_key == "household" and line.material_id is None
    assert line.material_name == "家庭成员" and line.reason == "家庭成员 2 的收入证明与填写的月收入不符"
    assert "申请表：家庭成员" in _detail(client, filed)


def test_a_field_line_needs_its_reason(client, world, filed):
    client.force_login(world.clerk_a)
    response = client.post(
        reverse("approvals:act", args=[filed.pk, Act.RETURN]), {"version": filed.version, "f_household": "on"}
    )
    assert response.status_code == 400
    assert Application.objects.get(pk=filed.pk).state == State.SUBMITTED


def test_the_supplement_of_the_named_field_settles_its_line(client, world, filed):
    client.force_login(world.clerk_a)
    _return_naming_household(client, filed)
    application = Application.objects.get(pk=filed.pk)
    assert [line.field_key for line in services.open_notice_lines(application)] == ["household"]
    full = item_data.full_data(application)
    services.item_data_save(
        actor=world.assistant_a1,
        application=application,
        raw={
            "household.0.member.name": "张小明",
            "household.0.member.id_number": full["household"][0]["member"]["id_number"],
            "household.0.member.relation": "本人",
            "household.0.monthly_income": "800",
            "household.1.member.name": "王秀兰",
            "household.1.member.id_number": SPOUSE_ID,
            "household.1.member.relation": "配偶",
            "household.1.monthly_income": "520",
            "income": "9999",  # not named by the notice: not taken
        },
    )
    application = Application.objects.get(pk=filed.pk)
    assert services.open_notice_lines(application) == []
    assert application.item_data["income"] == 128000
    event = ApplicationEvent.objects.get(application=filed, act=Act.DATA_SUPPLEMENTED)
    assert event.data["keys"] == ["household"]
    html = _detail(client, application)
    (change,) = event.data["changes"]
    assert "520" in change["after"] and "480" in change["before"]
    assert f"家庭成员: {change['before']} → <strong>{change['after']}</strong>" in html


def test_a_second_return_can_name_a_field_too(client, world, filed):
    client.force_login(world.clerk_a)
    _return_naming_household(client, filed)
    application = Application.objects.get(pk=filed.pk)
    raw = _flat_household(application)
    raw["household.1.monthly_income"] = "520"
    services.item_data_save(actor=world.assistant_a1, application=application, raw=raw)
    services.application_resubmit(actor=world.assistant_a1, application=Application.objects.get(pk=filed.pk))
    services.application_agree_second_return(
        actor=world.supervisor_a, application=Application.objects.get(pk=filed.pk), reason="收入证明已过期"
    )
    application = Application.objects.get(pk=filed.pk)
    url = reverse("approvals:act", args=[filed.pk, Act.SECOND_RETURN])
    page = client.get(url).content.decode()
    assert "申请表：家庭月收入" in page and "申请表：月保障金额" not in page
    response = client.post(
        url, {"version": application.version, "f_income": "on", "fr_income": "与收入证明不符"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    line = NoticeItem.objects.filter(notice__application=filed).latest("pk")
    assert line.field_key == "income" and line.reason == "与收入证明不符"


def _flat_household(application) -> dict[str, str]:
    flat = flatten(item_data.form_of(application), item_data.full_data(application))
    return {k: v for k, v in flat.items() if k.startswith("household.")}


def test_the_filing_page_takes_the_named_field_and_settles_its_line(client, world, filed):
    """After the return, the assistant's supplement page offers the named field's inputs only;
    saving it settles the notice's line."""
    client.force_login(world.clerk_a)
    _return_naming_household(client, filed)
    client.force_login(world.assistant_a1)
    edit = reverse("approvals:edit", args=[filed.pk])
    page = client.get(edit).content.decode()
    assert 'name="d-household.1.monthly_income"' in page and 'name="d-income"' not in page
    sent = {f"d-{name}": text for name, text in _flat_household(Application.objects.get(pk=filed.pk)).items()}
    sent["d-household.1.monthly_income"] = "520"
    response = client.post(edit, sent)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get(pk=filed.pk)
    assert services.open_notice_lines(application) == []
    assert item_data.full_data(application)["household"][1]["monthly_income"] == 52000


def test_the_villagers_tracking_page_names_the_changed_field_never_its_values(client, world, filed):
    services.item_data_correct(
        actor=world.clerk_a, application=filed, key="income", raw={"income": "1500"}, reason="村委会证明"
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.post(reverse("tracking:form"), {"number": filed.number, "last4": filed.applicant_mobile[-4:]})
    page = client.get(reverse("tracking:detail", args=[filed.number])).content.decode()
    assert "更正了申请表：家庭月收入" in page, page
    assert "1,500" not in page and "1,280" not in page and "村委会证明" not in page
