"""Issue 16, findings 1, 8, 10 and 16: the back office bounds every field by jurisdiction,
audits every change, and answers a refusal with a form error.

Cast: `world` (tests/conftest.py). township_admin_a administers 郝各庄镇 (centre A), county_admin
the county (区政务服务办, a county department).
"""

import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.errors import NotPermitted
from portal.offices.models import Office, OfficeKind
from portal.people.jurisdiction import user_is_county_administrator
from portal.people.models import Membership
from portal.people.roles import Role
from portal.people.services import membership_create
from portal.places.models import Region
from tests.cms.conftest import make_policy, tree, with_email  # noqa: F401
from tests.factories import RegionFactory, UserFactory
from tests.services_catalog.conftest import dibao, guide  # noqa: F401

pytestmark = pytest.mark.django_db


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def region_data(region: Region, **changes) -> dict:
    data = {
        "level": region.level,
        "parent": region.parent_id or "",
        "code": region.code,
        "name": region.name,
    }
    data.update(changes)
    return data


def office_data(office: Office, **changes) -> dict:
    data = {
        "kind": office.kind,
        "region": office.region_id,
        "name": office.name,
        "short_name": office.short_name or office.name[:10],
        "phone": office.phone,
        "address": office.address,
        "opening_hours": office.opening_hours,
    }
    if office.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return data


# Finding 1 ----------------------------------------------------------------------------------


def test_finding_01_a_township_administrator_cannot_make_their_township_a_county(client, world):
    """The repro: POST the edit of one's own township with level=county (and, as a county has
    no parent and six trailing zeros, no parent and a county code)."""
    for changes in (
        {"level": "county", "parent": "", "code": "120116000000"},
        {"level": "county"},
        {"code": "120115999000"},
        {"parent": ""},
    ):
        response = post(
            client,
            world.township_admin_a,
            reverse("region_admin:edit", args=[world.township_a.pk]),
            region_data(world.township_a, **changes),
        )
        # The fields are shown fixed, so what was posted for them is ignored or refused.
        assert response.status_code in (200, 302), changes
        world.township_a.refresh_from_db()
        assert (world.township_a.level, world.township_a.code, world.township_a.parent_id) == (
            "township",
            "120115121000",
            world.county.pk,
        )
    admin = type(world.township_admin_a).objects.get(pk=world.township_admin_a.pk)
    assert not user_is_county_administrator(admin)


def test_finding_01_the_county_administrator_rule_does_not_trust_a_regions_level(world):
    """Even a township row whose level was set to county (as the old form allowed) does not
    make its administrator a county administrator: a county is the root of the tree."""
    Region.objects.filter(pk=world.township_a.pk).update(level="county")
    admin = type(world.township_admin_a).objects.get(pk=world.township_admin_a.pk)
    assert not user_is_county_administrator(admin)
    county_admin = type(world.county_admin).objects.get(pk=world.county_admin.pk)
    assert user_is_county_administrator(county_admin)


def test_finding_01_a_township_administrator_cannot_create_a_county_or_a_township(client, world):
    url = reverse("region_admin:add")
    for data in (
        {"level": "county", "parent": "", "code": "120199000000", "name": "假县"},
        {"level": "township", "parent": world.county.pk, "code": "120115199000", "name": "假镇"},
        {"level": "township", "parent": world.township_a.pk, "code": "120115121000", "name": "假镇"},
        {"level": "village", "parent": world.township_b.pk, "code": "120115111299", "name": "外村"},
    ):
        response = post(client, world.township_admin_a, url, data)
        assert response.status_code == 200, data
        assert not Region.objects.filter(name=data["name"]).exists(), data


# The role × field matrix for regions: (who, what, expected to succeed).
REGION_MATRIX = [
    ("township_admin_a", "add village in own township", True),
    ("county_admin", "add village in own township", True),
    ("township_admin_a", "add township", False),
    ("county_admin", "add township", True),
    ("township_admin_a", "add county", False),
    ("county_admin", "add county", False),  # a new root is the operator's job
    ("township_admin_a", "rename own township", True),
    ("township_admin_a", "recode own village", True),
    ("county_admin", "recode own village", True),
    ("township_admin_a", "move village to township B", False),
    ("county_admin", "move village to township B", True),
    ("township_admin_a", "village level to township", False),
    ("county_admin", "rename county", True),
    ("county_admin", "county level to township", False),
]


@pytest.mark.parametrize("who, what, allowed", REGION_MATRIX)
def test_region_fields_by_role(client, world, who, what, allowed):
    actor = getattr(world, who)
    a1, township_a = world.village_a1, world.township_a
    cases = {
        "add village in own township": (
            "add",
            None,
            {"level": "village", "parent": township_a.pk, "code": "120115121299", "name": "新村"},
        ),
        "add township": (
            "add",
            None,
            {"level": "township", "parent": world.county.pk, "code": "120115199000", "name": "新镇"},
        ),
        "add county": (
            "add",
            None,
            {"level": "county", "parent": "", "code": "120199000000", "name": "新县"},
        ),
        "rename own township": ("edit", township_a, region_data(township_a, name="郝各庄镇（新）")),
        "recode own village": ("edit", a1, region_data(a1, code="120115121298")),
        "move village to township B": (
            "edit",
            a1,
            region_data(a1, parent=world.township_b.pk, code="120115111298"),
        ),
        "village level to township": ("edit", a1, region_data(a1, level="township", parent=world.county.pk)),
        "rename county": ("edit", world.county, region_data(world.county, name="宝坻区（新）")),
        "county level to township": ("edit", world.county, region_data(world.county, level="township")),
    }
    action, target, data = cases[what]
    url = reverse("region_admin:add") if action == "add" else reverse("region_admin:edit", args=[target.pk])
    before = set(Region.objects.values_list("pk", "level", "code", "parent_id", "name"))
    response = post(client, actor, url, data)
    after = set(Region.objects.values_list("pk", "level", "code", "parent_id", "name"))
    if allowed:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert after != before
    else:
        # Refused on the form (200), out of sight (404), or a field shown fixed and ignored (302).
        assert response.status_code in (200, 302, 404)
        assert after == before


OFFICE_MATRIX = [
    ("township_admin_a", "station in a new village", True),
    ("county_admin", "station in a new village", True),
    ("township_admin_a", "department in the county", False),
    ("county_admin", "department in the county", True),
    ("township_admin_a", "own centre's phone", True),
    ("township_admin_a", "own centre's kind", False),
    ("township_admin_a", "own centre closed", False),
    ("county_admin", "own centre closed", True),
    ("township_admin_a", "station moved to township B", False),
]


@pytest.mark.parametrize("who, what, allowed", OFFICE_MATRIX)
def test_office_fields_by_role(client, world, who, what, allowed):
    actor = getattr(world, who)
    village = RegionFactory(code="120115121299", name="新村", level="village", parent=world.township_a)
    village_b = RegionFactory(code="120115111299", name="新霍村", level="village", parent=world.township_b)
    centre = world.centre_a
    new_station = {
        "kind": OfficeKind.STATION,
        "region": village.pk,
        "name": "新村便民服务站",
        "short_name": "新村站",
        "is_active": "on",
    }
    cases = {
        "station in a new village": ("add", None, new_station),
        "department in the county": (
            "add",
            None,
            {**new_station, "kind": OfficeKind.DEPARTMENT, "region": world.county.pk, "name": "区假局"},
        ),
        "own centre's phone": ("edit", centre, office_data(centre, phone="022-12345678")),
        "own centre's kind": (
            "edit",
            centre,
            office_data(centre, kind=OfficeKind.STATION, region=village.pk),
        ),
        "own centre closed": (
            "edit",
            centre,
            {k: v for k, v in office_data(centre).items() if k != "is_active"},
        ),
        "station moved to township B": (
            "edit",
            world.station_a2,
            office_data(world.station_a2, region=village_b.pk),
        ),
    }
    action, target, data = cases[what]
    url = reverse("office_admin:add") if action == "add" else reverse("office_admin:edit", args=[target.pk])
    fields = ("pk", "kind", "region_id", "name", "phone", "is_active")
    before = set(Office.objects.values_list(*fields))
    response = post(client, actor, url, data)
    after = set(Office.objects.values_list(*fields))
    if allowed:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert after != before
    else:
        # Refused on the form (200), out of sight (404), or a field shown fixed and ignored (302).
        assert response.status_code in (200, 302, 404)
        assert after == before


def test_the_service_refuses_what_the_form_hides(world):
    """The forms only offer what is allowed; the services refuse the rest whatever is posted."""
    from portal.offices.services import office_save
    from portal.places.services import region_save

    township = Region.objects.get(pk=world.township_a.pk)
    township.level, township.parent, township.code = "county", None, "120116000000"
    with pytest.raises(NotPermitted):
        region_save(actor=world.township_admin_a, region=township)
    centre = Office.objects.get(pk=world.centre_a.pk)
    centre.is_active = False
    with pytest.raises(NotPermitted):
        office_save(actor=world.township_admin_a, office=centre)


# Finding 8 ----------------------------------------------------------------------------------

GRANT_MATRIX = [
    # (actor, grantee, office, role, allowed)
    ("township_admin_a", "township_admin_a", "centre_a", Role.CENTRE_SUPERVISOR, False),
    ("township_admin_a", "township_admin_a", "centre_a", Role.EDITOR, False),
    ("township_admin_a", "township_admin_a", "centre_a", Role.TOWNSHIP_CLERK, False),
    ("township_admin_a", "clerk_a", "centre_a", Role.CENTRE_SUPERVISOR, False),
    ("township_admin_a", "clerk_a", "centre_a", Role.EDITOR, False),
    ("township_admin_a", "clerk_a", "centre_a", Role.ADMINISTRATOR, False),
    ("township_admin_a", "supervisor_a", "centre_a", Role.TOWNSHIP_CLERK, True),
    ("township_admin_a", "clerk_a", "station_a2", Role.VILLAGE_ASSISTANT, True),
    ("county_admin", "clerk_a", "centre_a", Role.CENTRE_SUPERVISOR, True),
    ("county_admin", "clerk_a", "centre_a", Role.EDITOR, True),
    ("county_admin", "clerk_a", "centre_a", Role.ADMINISTRATOR, True),
    ("county_admin", "county_admin", "ds", Role.EDITOR, False),
]


@pytest.mark.parametrize("actor, grantee, office, role, allowed", GRANT_MATRIX)
def test_role_grants_by_role(client, world, actor, grantee, office, role, allowed):
    user, office = getattr(world, grantee), getattr(world, office)
    response = post(
        client,
        getattr(world, actor),
        reverse("membership_admin:add"),
        {"user": user.pk, "office": office.pk, "role": role},
    )
    granted = Membership.objects.current().filter(user=user, office=office, role=role).exists()
    if allowed:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert granted
    else:
        assert response.status_code == 200
        assert not granted


def test_finding_08_a_township_administrator_cannot_grant_themselves_or_others_county_roles(world):
    for grantee, role in (
        (world.township_admin_a, Role.CENTRE_SUPERVISOR),
        (world.township_admin_a, Role.EDITOR),
        (world.clerk_a, Role.EDITOR),
        (world.clerk_a, Role.CENTRE_SUPERVISOR),
    ):
        with pytest.raises(NotPermitted):
            membership_create(actor=world.township_admin_a, user=grantee, office=world.centre_a, role=role)
    assert not Membership.objects.filter(role=Role.EDITOR, office=world.centre_a).exists()


def test_finding_08_a_township_administrator_cannot_create_editor_accounts(client, world):
    response = post(
        client,
        world.township_admin_a,
        reverse("staff_admin:add"),
        {
            "username": "editor_x",
            "name": "编辑甲",
            "office": world.centre_a.pk,
            "role": Role.EDITOR,
            "password": "a long enough password",
        },
    )
    assert response.status_code == 200
    assert not type(world.clerk_a).objects.filter(username="editor_x").exists()


def test_finding_08_two_person_publishing_needs_editors_a_county_administrator_granted(world, tree):  # noqa: F811
    """Two editor accounts at a township centre whose roles the county did not grant (the rows
    the old code let a township administrator write) cannot publish together; two editors that
    a county administrator granted can."""
    from django.core.exceptions import PermissionDenied

    from portal.people.jurisdiction import jurisdiction_sync

    def legacy_editor(username):
        user = UserFactory(username=username, name=username)
        Membership.objects.create(user=user, office=world.centre_a, role=Role.EDITOR)
        jurisdiction_sync(user)
        return with_email(user)

    first, second = legacy_editor("ed_1"), legacy_editor("ed_2")
    policy = make_policy(tree.policies, publish=False)
    policy.get_latest_revision_as_object().save_revision(user=first)
    policy.get_workflow().start(policy, first)
    task_state = policy.current_workflow_task_state
    task = task_state.task.specific
    assert task.get_actions(policy, second) == []
    with pytest.raises(PermissionDenied):
        task.on_action(task_state, second, "approve")
    policy.refresh_from_db()
    assert not policy.live

    def granted_editor(username):
        user = UserFactory(username=username, name=username)
        membership_create(actor=world.county_admin, user=user, office=world.ds, role=Role.EDITOR)
        return with_email(user)

    granted_first, granted_second = granted_editor("ed_3"), granted_editor("ed_4")
    other = make_policy(tree.policies, n=2, publish=False)
    other.get_latest_revision_as_object().save_revision(user=granted_first)
    other.get_workflow().start(other, granted_first)
    task_state = other.current_workflow_task_state
    task_state.task.specific.on_action(task_state, granted_second, "approve")
    other.refresh_from_db()
    assert other.live


# Finding 10 ---------------------------------------------------------------------------------


def changes_of(obj) -> list[dict]:
    return [
        entry.detail
        for entry in AuditEntry.objects.filter(
            event=AuditEntry.Event.STATE_CHANGE, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("pk")
    ]


def test_finding_10_a_staff_edit_writes_an_audit_entry_with_masked_before_and_after(client, world):
    response = post(
        client,
        world.township_admin_a,
        reverse("staff_admin:edit", args=[world.clerk_a.pk]),
        {"name": "王建国", "mobile": "13900000033", "email": "clerk@cunban.example"},
    )
    assert response.status_code == 302
    entries = AuditEntry.objects.filter(
        event=AuditEntry.Event.STATE_CHANGE, object_type="people.user", object_id=str(world.clerk_a.pk)
    ).order_by("pk")
    details = [entry.detail for entry in entries]
    # A colleague's mobile and e-mail wait for their owner (finding 2): the request is audited, masked.
    requested = {d["field"]: d for d in details if d["act"] == "contact_change_requested"}
    assert requested["mobile"]["before"] == "139****0003" and requested["mobile"]["after"] == "139****0033"
    assert requested["email"]["after"] == "c***@cunban.example"
    assert "13900000033" not in str(details)
    edit = next(d for d in details if d["act"] == "edit" and "name" in d["after"])
    assert edit["after"]["name"] == "王建国"
    active = next(d for d in details if d["act"] == "edit" and "is_active" in d["after"])
    assert (active["before"]["is_active"], active["after"]["is_active"]) == (True, False)
    assert any(d["act"] == "permissions" for d in details)
    entry = entries.first()
    assert entry.user == world.township_admin_a and entry.ip_address == "127.0.0.1"
    assert entry.path == reverse("staff_admin:edit", args=[world.clerk_a.pk])
    # Wagtail's own history of the account is written again.
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(object_id=str(world.clerk_a.pk), action="wagtail.edit").exists()


def test_finding_10_account_creation_and_role_grants_are_audited(client, world):
    response = post(
        client,
        world.township_admin_a,
        reverse("staff_admin:add"),
        {
            "username": "clerk_new",
            "name": "新窗口",
            "mobile": "13900000077",
            "office": world.centre_a.pk,
            "role": Role.TOWNSHIP_CLERK,
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    user = type(world.clerk_a).objects.get(username="clerk_new")
    created = changes_of(user)[0]
    assert created["act"] == "create" and created["after"]["mobile"] == "139****0077"
    assert created["after"]["password"] == "******"
    assert "a long enough password" not in str(changes_of(user))
    # The permission sync removes groups the account never had: no row says it lost them.
    assert not any(d["act"] == "remove" for d in changes_of(user))
    membership = Membership.objects.get(user=user)
    assert changes_of(membership)[0]["after"]["role"] == Role.TOWNSHIP_CLERK

    response = post(
        client,
        world.township_admin_a,
        reverse("membership_admin:add"),
        {"user": user.pk, "office": world.station_a2.pk, "role": Role.VILLAGE_ASSISTANT},
    )
    assert response.status_code == 302
    second = Membership.objects.get(user=user, office=world.station_a2)
    entry = AuditEntry.objects.get(object_type="people.membership", object_id=str(second.pk))
    assert entry.user == world.township_admin_a and entry.detail["act"] == "create"
    response = post(client, world.township_admin_a, reverse("membership_admin:delete", args=[second.pk]), {})
    assert response.status_code == 302
    assert [d["act"] for d in changes_of(second)] == ["create", "edit"]
    assert changes_of(second)[1]["before"]["ended_at"] is None


def test_finding_10_region_and_office_edits_are_audited(client, world):
    response = post(
        client,
        world.township_admin_a,
        reverse("region_admin:edit", args=[world.village_a1.pk]),
        region_data(world.village_a1, name="西郝各庄村（新）"),
    )
    assert response.status_code == 302
    assert changes_of(world.village_a1) == [
        {"act": "edit", "before": {"name": "西郝各庄村"}, "after": {"name": "西郝各庄村（新）"}}
    ]
    response = post(
        client,
        world.township_admin_a,
        reverse("office_admin:edit", args=[world.station_a1.pk]),
        office_data(world.station_a1, phone="022-1234"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert changes_of(world.station_a1)[-1]["after"] == {"phone": "022-1234"}
    from wagtail.models import ModelLogEntry

    assert ModelLogEntry.objects.filter(object_id=str(world.station_a1.pk), action="wagtail.edit").exists()


def test_finding_10_a_calendar_day_added_in_the_back_office_is_audited(client, world):
    import datetime

    from portal.workdays.models import CalendarDay, CalendarYear

    year = CalendarYear.objects.create(year=2030)
    response = post(
        client,
        world.county_admin,
        reverse("calendar_days:add"),
        {"year": year.pk, "date": "2030-10-08", "is_workday": "", "name": "国庆节"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    day = CalendarDay.objects.get(date=datetime.date(2030, 10, 8))
    assert changes_of(day)[0]["after"]["date"] == "2030-10-08"


def test_a_refused_change_writes_no_change_entry(client, world):
    before = AuditEntry.objects.filter(event=AuditEntry.Event.STATE_CHANGE).count()
    post(
        client,
        world.township_admin_a,
        reverse("region_admin:edit", args=[world.township_a.pk]),
        region_data(world.township_a, level="county", parent="", code="120116000000"),
    )
    assert AuditEntry.objects.filter(event=AuditEntry.Event.STATE_CHANGE).count() == before


# Finding 16 ---------------------------------------------------------------------------------


def test_finding_16_a_refused_staff_edit_is_a_form_error_not_a_500(client, world):
    """clerk_a also works at centre B, which township_admin_a does not manage: the service
    refuses to change the account, and the page says so on the form."""
    membership_create(actor=None, user=world.clerk_a, office=world.centre_b, role=Role.TOWNSHIP_CLERK)
    response = post(
        client,
        world.township_admin_a,
        reverse("staff_admin:edit", args=[world.clerk_a.pk]),
        {"name": "改名", "mobile": "13900000003"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert world.centre_b.name in body  # the service's message names the office
    assert 'value="改名"' in body  # what was typed is kept
    world.clerk_a.refresh_from_db()
    assert world.clerk_a.is_active and world.clerk_a.name == "clerk_a"


def test_finding_16_a_refused_staff_creation_is_a_form_error_not_a_500(client, world):
    response = post(
        client,
        world.township_admin_a,
        reverse("staff_admin:add"),
        {
            "username": "wrong_kind",
            "name": "错",
            "office": world.centre_a.pk,
            "role": Role.VILLAGE_ASSISTANT,  # an assistant belongs to a station, not a centre
            "password": "a long enough password",
        },
    )
    assert response.status_code == 200
    assert 'value="wrong_kind"' in response.content.decode()
    assert not type(world.clerk_a).objects.filter(username="wrong_kind").exists()


def test_every_scoped_create_and_edit_view_turns_refusals_into_form_errors():
    from wagtail.admin.viewsets import viewsets

    from portal.people.backoffice import ScopedModelViewSet, ServiceErrorsMixin

    def walk(items):
        for item in items:
            yield item
            yield from walk(getattr(item, "viewsets", []))

    scoped = [v for v in walk(viewsets.viewsets) if isinstance(v, ScopedModelViewSet)]
    assert len(scoped) >= 5
    for viewset in scoped:
        for view_class in (viewset.add_view_class, viewset.edit_view_class):
            assert issubclass(view_class, ServiceErrorsMixin), (viewset.name, view_class)


def test_finding_16_a_refused_end_of_a_role_is_a_message_not_a_500(client, world):
    """Ending a supervisor's role is the county's: the confirmation page says so."""
    membership = world.supervisor_a.memberships.get()
    response = post(
        client, world.township_admin_a, reverse("membership_admin:delete", args=[membership.pk]), {}
    )
    assert response.status_code == 200
    assert "county administrator" in response.content.decode() or "县级管理员" in response.content.decode()
    membership.refresh_from_db()
    assert membership.ended_at is None


def test_finding_10_a_delegation_record_and_its_revocation_are_audited(client, world, dibao):  # noqa: F811
    from services_catalog.models import Delegation

    client.force_login(world.county_admin)
    response = client.post(
        reverse("delegation_admin:add"),
        {
            "item": dibao.pk,
            "department": world.d1.pk,
            "centres": [world.centre_a.pk],
            "mode": "authorisation",
            "document_number": "宝坻政发〔2025〕3号",
            "valid_from": "2025-01-01",
            "valid_until": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record = Delegation.objects.get(document_number="宝坻政发〔2025〕3号")
    response = client.post(reverse("delegation_admin:revoke", args=[record.pk]), {"reason": "收回"})
    assert response.status_code == 302
    details = changes_of(record)
    assert details[0]["act"] == "create" and details[0]["after"]["document_number"] == "宝坻政发〔2025〕3号"
    assert {"act": "add", "field": "centres", "values": [world.centre_a.name]} in details
    assert details[-1]["act"] == "edit" and details[-1]["after"]["revoked_reason"] == "收回"
