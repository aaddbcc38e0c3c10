import datetime

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.errors import DomainError, NotPermitted
from services_catalog.models import Delegation, DelegationMode
from services_catalog.selectors import service_item_route
from services_catalog.services import delegation_revoke, delegation_save


def new_record(item, **fields):
    return Delegation(
        item=item,
        department=item.department,
        mode=fields.pop("mode", DelegationMode.ENTRUSTMENT),
        document_number=fields.pop("document_number", "宝坻政发〔2024〕12号"),
        valid_from=fields.pop("valid_from", datetime.date(2024, 1, 1)),
        **fields,
    )


def test_only_county_administrators_change_delegations(world, dibao):
    for person in ("township_admin_a", "clerk_a", "officer_d1", "editor"):
        with pytest.raises(NotPermitted):
            delegation_save(
                actor=world.people[person], delegation=new_record(dibao), centres=[world.centre_a]
            )
    record = delegation_save(actor=world.county_admin, delegation=new_record(dibao), centres=[world.centre_a])
    assert list(record.centres.all()) == [world.centre_a]
    assert ModelLogEntry.objects.filter(object_id=str(record.pk), action="wagtail.create").exists()


def test_only_the_holding_department_delegates(world, dibao):
    with pytest.raises(DomainError):
        delegation_save(
            actor=world.county_admin,
            delegation=Delegation(
                item=dibao,
                department=world.d2,
                mode="entrustment",
                document_number="x",
                valid_from=datetime.date(2024, 1, 1),
            ),
            centres=[world.centre_a],
        )


def test_revoking_stops_new_routing_and_is_logged(world, dibao):
    record = delegation_save(actor=world.county_admin, delegation=new_record(dibao), centres=[world.centre_a])
    before = service_item_route(item=dibao, township=world.township_a, on=datetime.date(2026, 6, 1))
    delegation_revoke(
        actor=world.county_admin,
        delegation=record,
        reason="事项调整收回区级办理",
        on=datetime.date(2026, 6, 1),
    )
    after = service_item_route(item=dibao, township=world.township_a, on=datetime.date(2026, 6, 1))
    assert before.office == world.centre_a and after.office == world.d1
    record.refresh_from_db()
    assert record.revoked_by == world.county_admin
    entry = ModelLogEntry.objects.get(object_id=str(record.pk), action="cunban.delegation.revoke")
    assert entry.data["reason"] == "事项调整收回区级办理"
    with pytest.raises(DomainError):
        delegation_revoke(actor=world.county_admin, delegation=record, reason="again")


def test_the_admin_lists_and_revokes_for_county_administrators_only(client, world, dibao):
    record = delegation_save(actor=world.county_admin, delegation=new_record(dibao), centres=[world.centre_a])
    client.force_login(world.township_admin_a)
    assert client.get(reverse("delegation_admin:index")).status_code in (302, 403)
    assert client.get(reverse("delegation_admin:revoke", args=[record.pk])).status_code == 404
    client.force_login(world.county_admin)
    body = client.get(reverse("delegation_admin:index")).content.decode()
    assert "宝坻政发〔2024〕12号" in body
    response = client.post(reverse("delegation_admin:revoke", args=[record.pk]), {"reason": ""})
    assert response.status_code == 200  # the reason is required; nothing changed
    record.refresh_from_db()
    assert record.revoked_on is None
    response = client.post(reverse("delegation_admin:revoke", args=[record.pk]), {"reason": "收回"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.revoked_on is not None


def test_creating_a_record_in_the_admin(client, world, dibao):
    client.force_login(world.county_admin)
    response = client.post(
        reverse("delegation_admin:add"),
        {
            "item": dibao.pk,
            "department": world.d1.pk,
            "centres": [world.centre_a.pk, world.centre_b.pk],
            "mode": "authorisation",
            "document_number": "宝坻政发〔2025〕3号",
            "valid_from": "2025-01-01",
            "valid_until": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    record = Delegation.objects.get(document_number="宝坻政发〔2025〕3号")
    assert set(record.centres.all()) == {world.centre_a, world.centre_b}
