"""The staff pages: inbox, application page, steps, downloads, ID reveal, export."""

import pytest
from django.urls import reverse

from approvals.models import Application
from approvals.states import Act, State
from portal.people.models import IdNumberDisclosure

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_inbox_lists_only_the_centres_work_oldest_deadline_first(client, cases, world):
    first = cases.submitted()
    second = cases.accepted()
    other = cases.submitted(where="b1")
    html = login(client, world.clerk_a).get(reverse("approvals:inbox")).content.decode()
    assert first.number in html and second.number in html
    assert other.number not in html
    assert html.index(first.number) < html.index(second.number)  # accept_by comes before the due date


def test_inbox_query_count_does_not_grow_with_rows(client, cases, world, django_assert_max_num_queries):
    cases.submitted()
    login(client, world.clerk_a)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("approvals:inbox"))
    for _ in range(6):
        cases.accepted()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("approvals:inbox"))
    assert response.content.decode().count('<li><a href="/work/') == 7


def test_inbox_filters_by_state(client, cases, world):
    submitted = cases.submitted()
    accepted = cases.accepted()
    html = (
        login(client, world.clerk_a).get(reverse("approvals:inbox"), {"state": "accepted"}).content.decode()
    )
    assert accepted.number in html and submitted.number not in html


def test_assistant_lands_on_the_station_list(client, cases, world):
    application = cases.submitted()
    response = login(client, world.assistant_a1).get(reverse("approvals:inbox"), follow=True)
    assert application.number in response.content.decode()


def test_detail_shows_masked_id_and_reveal_is_logged(client, cases, world):
    application = cases.submitted()
    login(client, world.clerk_a)
    html = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    full = application.resident.id_number
    assert full not in html
    assert application.resident.id_number_masked in html
    client.post(reverse("approvals:id_number", args=[application.pk]))
    html = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert full in html
    assert IdNumberDisclosure.objects.filter(viewer=world.clerk_a, resident=application.resident).count() == 1
    html = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert full not in html  # shown once


def test_assistant_may_not_reveal_the_full_number(client, cases, world):
    application = cases.submitted()
    response = login(client, world.assistant_a1).post(reverse("approvals:id_number", args=[application.pk]))
    assert response.status_code == 404
    assert not IdNumberDisclosure.objects.exists()


def test_return_accept_and_approve_through_the_pages(client, cases, world):
    application = cases.submitted()
    materials = list(application.item.materials.all())
    login(client, world.clerk_a)
    url = reverse("approvals:act", args=[application.pk, Act.RETURN])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "version": application.version,
            f"m{materials[0].pk}": "on",
            f"r{materials[0].pk}": "照片模糊",
            "other_name": "村委会证明",
            "other_reason": "缺少",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.RETURNED
    notice = application.notices.get()
    assert [i.material_name for i in notice.items.all()] == [materials[0].name, "村委会证明"]
    html = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    assert "照片模糊" in html


def test_a_tick_without_reason_keeps_the_input_and_says_what_to_fix(client, cases, world):
    application = cases.submitted()
    material = application.item.materials.first()
    login(client, world.clerk_a)
    response = client.post(
        reverse("approvals:act", args=[application.pk, Act.RETURN]),
        {"version": application.version, f"m{material.pk}": "on", "note": "请补齐"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请补齐" in html
    application.refresh_from_db()
    assert application.state == State.SUBMITTED


def test_a_stale_page_is_told_it_changed(client, cases, world):
    application = cases.submitted()
    version = application.version
    login(client, world.clerk_a)
    client.post(reverse("approvals:act", args=[application.pk, Act.ACCEPT]), {"version": version})
    material = application.item.materials.first()
    response = client.post(
        reverse("approvals:act", args=[application.pk, Act.RETURN]),
        {"version": version, f"m{material.pk}": "on", f"r{material.pk}": "模糊"},
    )
    assert response.status_code == 400
    assert "已被处理" in response.content.decode()
    application.refresh_from_db()
    assert application.state == State.ACCEPTED


def test_reject_needs_reason_and_basis_and_prefills_the_basis(client, cases, world):
    application = cases.accepted()
    login(client, world.clerk_a)
    url = reverse("approvals:act", args=[application.pk, Act.REJECT])
    assert "社会救助暂行办法" in client.get(url).content.decode()
    response = client.post(url, {"version": application.version, "reason": "", "basis": "x"})
    assert response.status_code == 400
    client.post(
        url, {"version": application.version, "reason": "收入超标", "basis": "《社会救助暂行办法》第九条"}
    )
    application.refresh_from_db()
    assert application.state == State.REJECTED


def test_download_inside_and_outside_the_jurisdiction(client, cases, world):
    application = cases.submitted()
    record = application.files.first()
    url = reverse("approvals:file", args=[application.pk, record.pk])
    response = login(client, world.clerk_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.logout()
    assert login(client, world.clerk_b).get(url).status_code == 404


def test_export_is_scoped_and_masks_names(client, cases, world):
    mine = cases.submitted()
    theirs = cases.submitted(where="b1")
    response = login(client, world.clerk_a).get(reverse("approvals:export"))
    body = b"".join(response.streaming_content).decode()
    assert mine.number in body and theirs.number not in body
    assert "张*明" in body and "张小明" not in body


def test_supervisor_sees_the_overdue_list(client, cases, world):
    application = cases.accepted()
    Application.objects.filter(pk=application.pk).update(due_on="2020-01-02")
    html = login(client, world.supervisor_a).get(reverse("approvals:overdue")).content.decode()
    assert application.number in html


def buttons(client, application):
    from approvals.states import Act as A

    html = client.get(reverse("approvals:detail", args=[application.pk])).content.decode()
    return {act for act in A.values if f"/act/{act}/" in html}


def test_buttons_follow_the_item_and_the_file(client, cases, world):
    login(client, world.clerk_a)
    plain = cases.accepted()
    assert {"approve", "reject", "forward", "withdraw"} - {"withdraw"} <= buttons(client, plain)
    assert not {"review", "pause", "resume", "assign"} & buttons(client, plain)
    housing = cases.accepted(item="housing")
    assert {"review", "pause", "forward"} <= buttons(client, housing)
    assert not {"approve", "reject"} & buttons(client, housing)
    client.force_login(world.supervisor_a)
    assert "reassign" in buttons(client, housing)


def test_a_file_taken_by_another_clerk_shows_no_handling_buttons(client, cases, world):
    from portal.people.roles import Role
    from portal.people.services import membership_create
    from tests.factories import UserFactory

    second = UserFactory(username="clerk_a2", name="clerk_a2")
    membership_create(actor=None, user=second, office=world.centre_a, role=Role.TOWNSHIP_CLERK)
    application = cases.accepted()
    client.force_login(second)
    assert buttons(client, application) == set()
