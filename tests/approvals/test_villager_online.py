"""网上申请: a villager starts an application of a 网办 item themselves; it waits at their
village station until an assistant takes it (接手), checks it and submits it. Only the station's
assistants see or take it; for everyone else it does not exist."""

import uuid

import pytest
from django.urls import reverse

from approvals import selectors, services
from approvals.models import Application, ApplicationFile
from approvals.states import Act, State
from portal.errors import DomainError, NotPermitted
from services_catalog.models import ServiceItemPage

from .conftest import png_upload

pytestmark = pytest.mark.django_db

MOBILE = "13712345678"


@pytest.fixture
def online_item(items):
    ServiceItemPage.objects.filter(pk=items["dibao"].pk).update(online=True, online_filing=True)
    return ServiceItemPage.objects.get(pk=items["dibao"].pk)


def start(item, village, *, mobile=MOBILE, name="王秀英", **kwargs) -> Application:
    return services.draft_start_by_villager(item=item, village=village, mobile=mobile, name=name, **kwargs)


def handed_in(item, village, **kwargs) -> Application:
    return services.draft_hand_in_by_villager(application=start(item, village, **kwargs))


def acts(application) -> list[str]:
    return list(application.events.order_by("at", "pk").values_list("act", flat=True))


# -- services ---------------------------------------------------------------------------------------


def test_a_villager_starts_a_draft_at_their_village_station(online_item, world):
    application = start(online_item, world.village_a1, name=" 王  秀英 ")

    assert application.state == State.DRAFT
    assert application.origin == Application.Origin.VILLAGER_ONLINE
    assert application.filed_by is None and application.awaits_taking
    assert application.station == world.station_a1
    assert (application.applicant_name, application.applicant_mobile) == ("王 秀英", MOBILE)
    event = application.events.get()
    assert (event.act, event.actor, event.actor_role, event.actor_office) == (
        Act.START_ONLINE,
        None,
        "villager",
        world.station_a1,
    )


def test_an_item_not_open_to_online_filing_is_refused(items, world):
    with pytest.raises(DomainError):
        start(items["dibao"], world.village_a1)
    assert not Application.objects.exists()


def test_a_township_is_not_a_village(online_item, world):
    with pytest.raises(DomainError):
        start(online_item, world.township_a)


def test_the_same_form_twice_is_one_draft_and_never_someone_else_s(online_item, world):
    token = uuid.uuid4()
    first = start(online_item, world.village_a1, client_token=token)
    assert start(online_item, world.village_a1, client_token=token) == first
    with pytest.raises(NotPermitted):
        start(online_item, world.village_a1, client_token=token, mobile="13700000000")
    assert Application.objects.count() == 1


def test_handing_in_twice_writes_one_event(online_item, world):
    application = handed_in(online_item, world.village_a1)
    again = services.draft_hand_in_by_villager(application=application)
    assert again.handed_in_at == application.handed_in_at is not None
    assert acts(application) == [Act.START_ONLINE, Act.HAND_IN]


def test_the_assistant_takes_it_and_answers_for_it(online_item, world):
    application = handed_in(online_item, world.village_a1)

    taken = services.application_take(actor=world.assistant_a1, application=application)

    assert taken.filed_by == world.assistant_a1 and not taken.awaits_taking
    event = taken.events.order_by("-pk").first()
    assert (event.act, event.actor, event.actor_office) == (Act.TAKE, world.assistant_a1, world.station_a1)
    with pytest.raises(DomainError):
        services.application_take(actor=world.assistant_a1, application=taken)


def test_nothing_is_taken_before_the_villager_hands_it_in(online_item, world):
    application = start(online_item, world.village_a1)
    with pytest.raises(DomainError):
        services.application_take(actor=world.assistant_a1, application=application)
    assert Application.objects.get(pk=application.pk).filed_by is None


@pytest.mark.parametrize("who", ["assistant_b1", "clerk_a", "supervisor_a", "officer_d1", "outsider"])
def test_only_an_assistant_of_the_station_takes_it(online_item, world, who):
    application = handed_in(online_item, world.village_a1)
    with pytest.raises(NotPermitted):
        services.application_take(actor=getattr(world, who), application=application)
    assert Application.objects.get(pk=application.pk).filed_by is None


def test_an_untaken_draft_is_neither_changed_nor_submitted_by_an_assistant(online_item, world, residents):
    application = handed_in(online_item, world.village_a1)
    with pytest.raises(DomainError):
        services.application_submit(actor=world.assistant_a1, application=application)
    with pytest.raises(DomainError):
        services.draft_update(actor=world.assistant_a1, application=application, request_note="x")
    with pytest.raises(DomainError):
        services.file_attach(
            actor=world.assistant_a1,
            application=application,
            kind=ApplicationFile.Kind.CONSENT,
            uploaded=png_upload(),
        )
    assert Application.objects.get(pk=application.pk).state == State.DRAFT


def test_once_taken_it_is_checked_and_submitted_like_any_draft(online_item, world, residents):
    application = handed_in(online_item, world.village_a1)
    assistant = world.assistant_a1
    application = services.application_take(actor=assistant, application=application)
    services.draft_update(actor=assistant, application=application, resident=residents["a1"])
    for material in application.item.materials.filter(required=True, may_be_missing=False):
        services.file_attach(
            actor=assistant,
            application=application,
            kind=ApplicationFile.Kind.MATERIAL,
            material=material,
            uploaded=png_upload(),
        )
    services.file_attach(
        actor=assistant, application=application, kind=ApplicationFile.Kind.CONSENT, uploaded=png_upload()
    )

    submitted, done = services.application_submit(actor=assistant, application=application)

    assert done and submitted.number and submitted.state == State.SUBMITTED
    assert acts(submitted) == [Act.START_ONLINE, Act.HAND_IN, Act.TAKE, Act.SUBMIT]


# -- the queue --------------------------------------------------------------------------------------


def test_the_queue_holds_handed_in_drafts_of_the_user_s_stations(online_item, world, cases):
    waiting = handed_in(online_item, world.village_a1)
    start(online_item, world.village_a1, mobile="13700000001")  # still being filled in
    elsewhere = handed_in(online_item, world.village_b1, mobile="13700000002")
    own = cases.draft()

    assert list(selectors.villager_drafts_waiting_for(world.assistant_a1)) == [waiting]
    assert list(selectors.villager_drafts_waiting_for(world.assistant_b1)) == [elsewhere]
    for who in ("clerk_a", "supervisor_a", "officer_d1", "outsider"):
        assert not selectors.villager_drafts_waiting_for(getattr(world, who)).exists()
    # The station's own list shows the villager's draft only once someone took it.
    assert list(selectors.station_applications_for(world.assistant_a1)) == [own]
    services.application_take(actor=world.assistant_a1, application=waiting)
    assert set(selectors.station_applications_for(world.assistant_a1)) == {own, waiting}
    assert not selectors.villager_drafts_waiting_for(world.assistant_a1).exists()


# -- pages ------------------------------------------------------------------------------------------


def test_the_station_page_lists_the_queue_in_a_fixed_number_of_queries(
    client, online_item, world, django_assert_max_num_queries
):
    handed_in(online_item, world.village_a1)
    client.force_login(world.assistant_a1)
    with django_assert_max_num_queries(20) as few:
        response = client.get(reverse("approvals:station"))
    assert response.status_code == 200
    for number in range(6):
        handed_in(online_item, world.village_a1, mobile=f"1370000001{number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("approvals:station"))
    assert response.content.decode().count("/handed-in/") == 7


def test_the_assistant_reads_and_takes_it(client, online_item, world):
    application = handed_in(online_item, world.village_a1)
    client.force_login(world.assistant_a1)

    assert client.get(reverse("approvals:edit", args=[application.pk])).url == reverse(
        "approvals:handed_in", args=[application.pk]
    )
    page = client.get(reverse("approvals:handed_in", args=[application.pk]))
    assert page.status_code == 200
    assert "王秀英" in page.content.decode() and MOBILE in page.content.decode()

    response = client.post(reverse("approvals:take", args=[application.pk]))

    assert response.status_code == 302
    assert response.url == reverse("approvals:edit", args=[application.pk])
    assert Application.objects.get(pk=application.pk).filed_by == world.assistant_a1
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("who", ["assistant_b1", "clerk_a", "supervisor_a", "officer_d1", "outsider"])
def test_everyone_else_gets_404(client, online_item, world, who):
    application = handed_in(online_item, world.village_a1)
    client.force_login(getattr(world, who))
    for name in ("handed_in", "edit", "detail"):
        assert client.get(reverse(f"approvals:{name}", args=[application.pk])).status_code == 404
    assert client.post(reverse("approvals:take", args=[application.pk])).status_code == 404
    assert Application.objects.get(pk=application.pk).filed_by is None


def test_anonymous_is_sent_to_log_in(client, online_item, world):
    application = handed_in(online_item, world.village_a1)
    response = client.post(reverse("approvals:take", args=[application.pk]))
    assert response.status_code == 302 and "login" in response.url
    assert Application.objects.get(pk=application.pk).filed_by is None
