"""Two-person publishing in a real browser: one editor writes and submits, another publishes.

Runs the system Chromium through Playwright against pytest-django's live server. The live
server answers from another thread, so the database is transactional; `serialized_rollback`
puts back the rows Wagtail's migrations made (root page, default site, collections) for the
tests that run after this one.
"""

import re

import pytest
from playwright.sync_api import expect

from cms.models import PolicyPage
from tests.conftest import PASSWORD


def logged_in_page(browser, base_url: str, username: str):
    """A fresh browser context (its own cookies) logged in through the portal's login form."""
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def footer_action(page, selector: str):
    """Open the page editor's footer action menu and press one of its actions."""
    page.click("footer .w-dropdown__toggle")
    page.click(f"footer {selector}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_drafts_and_a_second_editor_publishes(live_server, chromium, tree, editor, second_editor):
    base = live_server.url

    # Editor 1 writes a policy and submits it for review.
    page = logged_in_page(chromium, base, editor.username)
    page.goto(f"{base}/admin/pages/add/cms/policypage/{tree.policies.pk}/")
    page.fill("#id_title", "关于农村宅基地建房审批的通知")
    page.fill("#id_document_number", "宝坻政办发〔2024〕3号")
    page.fill("#id_effective_date", "2024-03-01")
    page.keyboard.press("Escape")  # close the date picker
    page.fill("#id_issuing_body", "天津市宝坻区人民政府办公室")
    page.fill("#id_summary", "建房审批改由镇便民服务中心受理。")
    page.locator(".Draftail-Editor [contenteditable=true]").first.click()
    page.keyboard.type("各镇人民政府：现将有关事项通知如下。")
    # Draftail writes what was typed into the form a moment later; submitting before that
    # would send the empty text.
    # (A locator, not wait_for_function: the Content-Security-Policy forbids the eval it uses.)
    expect(page.locator("input[name=body]")).to_have_value(re.compile("各镇人民政府"))
    page.check(f"input[name=related_items][value='{tree.item.pk}']")
    footer_action(page, "button[name=action-submit]")
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    policy = PolicyPage.objects.get(title="关于农村宅基地建房审批的通知")
    assert not policy.live and policy.workflow_in_progress
    assert "各镇人民政府" in policy.get_latest_revision_as_object().body

    # The author finds no way to approve their own change.
    page.goto(f"{base}/admin/pages/{policy.pk}/edit/")
    assert page.locator("[data-workflow-action-name=approve]").count() == 0
    page.context.close()

    # Editor 2 approves it from the page editor, and it is published.
    page = logged_in_page(chromium, base, second_editor.username)
    page.goto(f"{base}/admin/pages/{policy.pk}/edit/")
    footer_action(page, "[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])")
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    policy.refresh_from_db()
    assert policy.live
    assert policy.live_revision.user == editor  # published as written, not rewritten by the reviewer

    # Anyone can read it on the public site, with the service item it concerns.
    public = page.context.browser.new_context().new_page()
    public.goto(base + policy.url)
    assert public.locator("h1").inner_text() == "关于农村宅基地建房审批的通知"
    assert "宝坻政办发〔2024〕3号" in public.content()
    assert tree.item.title in public.content()
    page.context.close()
    public.context.close()
