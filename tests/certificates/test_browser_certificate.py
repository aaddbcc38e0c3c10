"""In a real browser (system Chromium): the clerk approves → downloads the certificate → the
QR code read off the printed page opens the public check → "genuine and valid"."""

import pytest
from django.test import override_settings

from approvals.states import State
from certificates.models import Certificate
from tests.certificates.conftest import pdf_text, qr_codes
from tests.conftest import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approve_download_and_check_the_qr(live_server, browser_page, cases, certified, world):
    application = cases.accepted("dibao", "a1")
    page, base = browser_page, live_server.url
    with override_settings(WAGTAILADMIN_BASE_URL=base):
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "clerk_a")
        page.fill("#id_password", PASSWORD)
        page.click("main button.primary")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

        page.goto(f"{base}/work/{application.pk}/")
        page.click(f"a[href='/work/{application.pk}/act/approve/']")
        page.click("main form button.primary")
        page.wait_for_url(f"{base}/work/{application.pk}/")
        application.refresh_from_db()
        assert application.state == State.APPROVED
        certificate = Certificate.objects.get(application=application)

        link = page.locator(f"a[href='/work/{application.pk}/certificates/{certificate.pk}.pdf']")
        assert link.count() == 1
        response = page.context.request.get(base + link.get_attribute("href"))
        assert response.ok and response.headers["content-type"] == "application/pdf"
        pdf = response.body()
        assert certificate.licence_number in pdf_text(pdf)

        (url,) = qr_codes(pdf)
        page.context.clear_cookies()  # whoever scans the paper is not logged in
        page.goto(url)
        text = page.inner_text("main")
        assert "真实有效" in text and certificate.licence_number in text and "张*明" in text
        page.screenshot(path="/tmp/cunban_verify_genuine.png", full_page=True)
