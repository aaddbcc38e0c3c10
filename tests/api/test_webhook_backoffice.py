"""The back office's webhooks: a county administrator subscribes (the secret shown once), sees
the paused flag and each delivery's attempts; a township administrator gets a 404."""

import pytest
from django.urls import reverse

from api.webhook_models import WebhookAttempt, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_the_county_administrator_subscribes_and_sees_the_secret_once(world, client, hotline):
    client.force_login(world.county_admin)
    url = reverse("api_client_admin:webhooks", args=[hotline[0].pk])
    page = client.get(url).content.decode()
    assert "ledger.item_changed" in page and "rating.bad_opened" not in page  # not in its scopes
    response = client.post(
        url, {"url": "https://hooks.example.org/cunban", "event_types": ["ledger.item_changed"]}
    )
    assert response.status_code == 200 and "whsec_" in response.content.decode()
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in response.content.decode()
    assert subscription.secret not in client.get(url).content.decode()


def test_a_bad_url_comes_back_with_a_message_and_what_was_typed(world, client, hotline):
    client.force_login(world.county_admin)
    url = reverse("api_client_admin:webhooks", args=[hotline[0].pk])
    response = client.post(url, {"url": "ftp://hooks.example.org/x", "event_types": ["ledger.item_changed"]})
    assert response.status_code == 400 and "ftp://hooks.example.org/x" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_paused_flag_and_attempts_are_listed(world, client, hotline, django_assert_max_num_queries):
    from django.conf import settings
    from django.utils import timezone

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the flag is matched in English

    from api import webhook_services

    subscription, _secret = webhook_services.webhook_subscribe(
        actor=world.county_admin,
        client=hotline[0],
        url="https://hooks.example.org/x",
        event_types=["ledger.item_changed"],
    )
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        paused_at=timezone.now(), paused_reason="HTTP 500"
    )
    for n in range(3):
        delivery = WebhookDelivery.objects.create(
            subscription=subscription,
            msg_id=f"msg_{n}",
            event_type="ledger.item_changed",
            body="{}",
            attempts=1,
        )
        WebhookAttempt.objects.create(delivery=delivery, at=timezone.now(), status_code=500, error="HTTP 500")
    client.force_login(world.county_admin)
    assert "PAUSED" in client.get(reverse("api_client_admin:webhooks", args=[hotline[0].pk])).content.decode()
    with django_assert_max_num_queries(30):
        page = client.get(
            reverse("api_client_admin:webhook_deliveries", args=[hotline[0].pk, subscription.pk])
        )
    assert page.content.decode().count("HTTP 500") >= 3


@pytest.mark.parametrize("who", ["township_admin_a", "supervisor_a", "outsider"])
def test_others_get_a_404(world, client, hotline, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("api_client_admin:webhooks", args=[hotline[0].pk])).status_code in (
        302,
        403,
        404,
    )
