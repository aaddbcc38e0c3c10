"""送达: the assistant records when and how the certificate reached the villager, once per paper."""

import datetime

import pytest
from django.urls import reverse

from approvals import selectors
from approvals.states import Act
from certificates import services
from certificates.models import HandOver
from portal.errors import DomainError, NotPermitted

pytestmark = pytest.mark.django_db


def hand_over(world, certificate, actor=None, **changes):
    arguments = {"on": datetime.date.today(), "how": HandOver.ASSISTANT, "note": "送到家中"} | changes
    return services.application_hand_over(
        actor=actor or world.assistant_a1, application=certificate.application, **arguments
    )


class TestApplicationHandOver:
    def test_the_assistant_records_it_into_the_history(self, approve, world):
        certificate = approve("dibao", "a1")
        recorded = hand_over(world, certificate)
        assert (recorded.handed_over_on, recorded.handed_over_how) == (
            datetime.date.today(),
            HandOver.ASSISTANT,
        )
        assert recorded.handed_over_by == world.assistant_a1 and recorded.handed_over_note == "送到家中"
        event = certificate.application.events.get(act=Act.HAND_OVER)
        assert event.data["serial"] == certificate.licence_number and event.actor_role == "filer"

    def test_it_is_offered_once(self, approve, world):
        certificate = approve("dibao", "a1")
        application = certificate.application
        assert Act.HAND_OVER in {s.act for s in selectors.steps_for(world.assistant_a1, application)}
        hand_over(world, certificate)
        application.refresh_from_db()
        assert Act.HAND_OVER not in {s.act for s in selectors.steps_for(world.assistant_a1, application)}
        with pytest.raises(DomainError, match="已于"):
            hand_over(world, certificate)

    def test_the_clerk_does_not_record_it(self, approve, world):
        certificate = approve("dibao", "a1")
        with pytest.raises(NotPermitted):
            hand_over(world, certificate, actor=world.clerk_a)

    def test_no_certificate_nothing_to_hand_over(self, cases, items, world):
        application = cases.accepted("dibao", "a1")
        from approvals import services as application_services

        application_services.application_approve(actor=world.clerk_a, application=application)
        with pytest.raises(DomainError, match="没有可送达"):
            services.application_hand_over(
                actor=world.assistant_a1, application=application, on=datetime.date.today(), how="assistant"
            )

    @pytest.mark.parametrize("days", [1, -400])
    def test_the_date_lies_between_issue_and_today(self, days, approve, world):
        certificate = approve("dibao", "a1")
        with pytest.raises(DomainError, match="送达日期"):
            hand_over(world, certificate, on=datetime.date.today() + datetime.timedelta(days=days))

    def test_a_reissued_certificate_is_handed_over_again(self, approve, world):
        certificate = approve("dibao", "a1")
        hand_over(world, certificate)
        new = services.certificate_revoke(
            actor=world.supervisor_a, certificate=certificate, reason="有误", reissue=True
        )
        recorded = hand_over(world, new, how=HandOver.IN_PERSON)
        assert recorded.pk == new.pk and recorded.handed_over_how == HandOver.IN_PERSON

    def test_the_step_page_records_it(self, client, approve, world):
        certificate = approve("dibao", "a1")
        application = certificate.application
        client.force_login(world.assistant_a1)
        url = reverse("approvals:act", args=[application.pk, Act.HAND_OVER])
        page = client.get(url).content.decode()
        assert "代办员送达" in page and "窗口领取" in page
        response = client.post(
            url, {"version": application.version, "on": "", "how": "assistant", "note": "x"}
        )
        assert response.status_code == 400 and 'value="x"' in response.content.decode()
        response = client.post(
            url, {"version": application.version, "on": datetime.date.today().isoformat(), "how": "post"}
        )
        assert response.status_code == 302
        certificate.refresh_from_db()
        assert certificate.handed_over_how == HandOver.POST
