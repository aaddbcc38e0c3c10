"""The whole life of an application on the demo data, in a real browser (system Chromium):
the assistant files with uploads → the clerk returns it with a one-time notice → the assistant
supplements → the clerk accepts and reviews → the supervisor approves → the villager tracks it
with the number and the last 4 digits of the mobile, and sees each step.

The live server answers from another thread, so the database is transactional;
`serialized_rollback` puts back the rows migrations made for the tests that follow.
"""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from PIL import Image

from approvals.models import Application
from approvals.states import State
from portal.demo.loader import DEMO_PASSWORD
from services_catalog.models import ServiceItemPage
from tests.factories import make_id_number

VILLAGER_MOBILE = "13766665555"


def png() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), "white").save(buffer, format="PNG")
    return {"name": "扫描件.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def log_in(page, base: str, username: str) -> None:
    page.goto("about:blank")  # stop the last page's loads: a late response would set its cookie again
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def take_step(page, base: str, pk: int, act: str, fill=None) -> None:
    page.goto(f"{base}/work/{pk}/")
    page.click(f"a[href='/work/{pk}/act/{act}/']")
    if fill:
        fill()
    page.click("main form button.primary")
    page.wait_for_url(f"{base}/work/{pk}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_whole_life_on_the_demo(live_server, browser_page):
    with override_settings(CUNBAN_DEMO=True):
        call_command("load_demo", stdout=StringIO())
    page, base = browser_page, live_server.url
    item = ServiceItemPage.objects.get(item_code="120115-JF-001")  # 低保: needs the supervisor's approval
    materials = list(item.materials.all())

    # The assistant files for a new villager, with every required material and the consent.
    log_in(page, base, "demo_assistant")
    page.goto(f"{base}/work/new/")
    page.click(f"a[href='/work/new/{item.pk}/']")
    page.fill("#id_name", "王秀英")
    page.fill("#id_id_number", make_id_number(order=777))
    page.fill("#id_mobile", VILLAGER_MOBILE)
    page.fill("#id_request_note", "老伴去世后收入很低，申请低保")
    for material in materials:
        if material.required and not material.may_be_missing:
            page.set_input_files(f"#id_material_{material.pk}", png())
    page.set_input_files("#id_consent", png())
    # 低保 asks its own facts (申请表): the household, the reason, the property, the account.
    page.fill("[name='d-household.0.member.name']", "王秀英")
    page.fill("[name='d-household.0.member.id_number']", make_id_number(order=777))
    page.select_option("[name='d-household.0.member.relation']", "本人")
    page.fill("[name='d-household.0.monthly_income']", "420")
    page.select_option("[name='d-household.0.employment']", "务农")
    page.select_option("[name='d-reason']", "年老体弱")
    page.fill("[name='d-savings']", "3000")
    page.check("[name='d-has_vehicle'][value=no]")
    page.check("[name='d-has_other_house'][value=no]")
    page.fill("[name='d-payment_account.bank']", "天津农商银行宝坻支行")
    page.fill("[name='d-payment_account.account']", "6231 0000 1111 2222")
    page.fill("[name='d-payment_account.holder']", "王秀英")
    page.click("button[name=submit]")
    page.wait_for_url(lambda url: url.endswith("/receipt/"))
    application = Application.objects.get(applicant_mobile=VILLAGER_MOBILE)
    assert application.state == State.SUBMITTED
    receipt = page.content()
    assert application.number in receipt or application.number.replace("-", " ") in receipt

    # The clerk returns it with a one-time notice naming the first material.
    first = materials[0]
    log_in(page, base, "demo_clerk")
    page.goto(f"{base}/work/")
    assert application.number in page.content()

    def notice():
        page.check(f"input[name=m{first.pk}]")
        page.fill(f"input[name=r{first.pk}]", "照片看不清，请重新拍摄")

    take_step(page, base, application.pk, "return", notice)
    assert "照片看不清" in page.content()

    # The assistant sees the notice and supplements the material.
    log_in(page, base, "demo_assistant")
    page.goto(f"{base}/work/{application.pk}/edit/")
    assert "照片看不清" in page.content()
    page.set_input_files(f"#id_material_{first.pk}", png())
    page.click("button[name=submit]")
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.state == State.SUBMITTED

    # The clerk accepts, enters the monthly amount (核定) and reviews; the supervisor approves.
    log_in(page, base, "demo_clerk")
    take_step(page, base, application.pk, "accept")
    page.goto(f"{base}/work/{application.pk}/")
    page.click(f"a[href='/work/{application.pk}/data/monthly_benefit/']")
    page.fill("[name='d-monthly_benefit']", "710")
    page.click("main form button.primary")
    page.wait_for_url(f"{base}/work/{application.pk}/")
    assert "710" in page.inner_text("main")
    take_step(
        page, base, application.pk, "review", lambda: page.fill("#id_comment", "材料齐全，符合条件，建议准予")
    )
    log_in(page, base, "demo_supervisor")
    page.goto(f"{base}/work/")
    take_step(page, base, application.pk, "approve")
    application.refresh_from_db()
    assert application.state == State.APPROVED
    # The certificate prints the form's lines: the persons in the household and the amount.
    assert application.certificates.get().particulars == [["保障人数", "1"], ["月保障金额", "710元"]]

    # The villager tracks it without logging in and sees each step.
    page.goto("about:blank")  # stop the last page's loads: a late response would set its cookie again
    page.context.clear_cookies()
    page.goto(f"{base}/track/")
    page.fill("#track-number", application.number)
    page.fill("#track-last4", VILLAGER_MOBILE[-4:])
    page.click("main button.primary")
    page.wait_for_url(f"{base}/track/{application.number}/")
    text = page.inner_text("main")
    assert "王*英" in text
    # submitted, returned, supplemented, accepted, 核定, reviewed, approved, certificate issued
    assert page.locator("ol.track-history li").count() == 8
    for term in ("一次性告知", "受理", "核定了：月保障金额", "审批", "准予", "出具了证照"):
        assert term in text
    assert application.resident.id_number not in page.content()
    assert "710" not in text  # the amount is the villager's own business, not the tracking page's
    page.screenshot(path="/tmp/cunban_track_approved.png", full_page=True)
