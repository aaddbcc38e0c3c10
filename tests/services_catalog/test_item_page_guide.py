"""Issue 18, gap 13: the item page carries the whole 办事指南 before a village is chosen:
承诺件/即办件, who may apply, the assistant (代办), online or why not, the certificate and its
validity, the delivery (送达方式), the holding department's address and hours, the delegation's
dates, and the blank forms and filled samples to download."""

import datetime

import pytest
import time_machine
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from services_catalog.models import Material

from .conftest import make_item


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 5, 6, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


def body_of(client, item) -> str:
    response = client.get(item.url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_promised_item_says_so_with_its_limits_scope_assistant_and_delivery(client, world, guide):
    item = make_item(
        guide,
        world.d1,
        code="120115-JF-101",
        title="高龄津贴申领",
        for_organisations=True,
        delivery="村级代办员送达；邮寄",
        online=False,
        offline_reason="须入户核实",
        certificate_name="高龄津贴领取证",
        certificate_valid_months=12,
    )
    body = body_of(client, item)
    assert "承诺件" in body and "即办件" not in body
    assert "个人" in body and "法人" in body
    assert "村级代办员可以免费替您办理" in body or "代办" in body
    assert "不能网上办理" in body and "须入户核实" in body
    assert "高龄津贴领取证" in body and "有效期12个月" in body
    assert "村级代办员送达；邮寄" in body


def test_an_immediate_item_without_certificate_still_names_its_delivery(client, world, guide):
    item = make_item(
        guide,
        world.d1,
        code="120115-JF-102",
        title="即办事项",
        is_immediate=True,
        online=True,
        village_proxy=False,
    )
    body = body_of(client, item)
    assert "即办件" in body
    assert "送达方式" in body  # always, not only with a certificate
    assert "可网上办理" in body
    assert "不能代办" in body  # on the item itself, without choosing a village


def test_the_holding_department_gives_its_address_and_hours(client, world, guide):
    world.d1.address = "宝坻区政务服务中心 民政服务窗口"
    world.d1.opening_hours = "工作日 9:00–12:00，13:30–17:00"
    world.d1.save()
    item = make_item(guide, world.d1, code="120115-JF-103", title="某事项")
    body = body_of(client, item)
    assert "办理地点" in body and "宝坻区政务服务中心 民政服务窗口" in body
    assert "办理时间" in body and "工作日 9:00–12:00，13:30–17:00" in body


def test_the_delegation_in_force_gives_its_dates_and_townships(client, world, guide, delegate):
    item = make_item(guide, world.d1, code="120115-JF-104", title="某下放事项")
    delegate(
        item, [world.centre_a], valid_from=datetime.date(2024, 3, 1), valid_until=datetime.date(2026, 12, 31)
    )
    delegate(item, [world.centre_b], number="过期〔2020〕1号", valid_until=datetime.date(2025, 1, 1))
    body = body_of(client, item)
    assert "2024-03-01" in body and "2026-12-31" in body
    assert world.township_a.name in body
    assert "过期〔2020〕1号" not in body  # expired: routes nothing


def test_blank_forms_and_samples_are_offered_without_a_query_per_material(
    client, world, guide, django_assert_max_num_queries
):
    item = make_item(guide, world.d1, code="120115-JF-105", title="带表格的事项")
    document_model = get_document_model()
    documents = []
    for title in ("申请书（空白表格）", "申请书（示范文本）"):
        document = document_model(title=title)
        document.file.save(f"{len(documents)}.pdf", ContentFile(b"%PDF-1.4"), save=False)
        document.save()
        documents.append(document)
    Material.objects.filter(page=item).update(blank_form=documents[0], sample=documents[1])
    item.save_revision().publish()

    with django_assert_max_num_queries(14):
        body = body_of(client, item)

    assert body.count(documents[0].url) == 3 and body.count(documents[1].url) == 3


def test_the_page_stays_small(client, world, guide, delegate):
    item = make_item(guide, world.d1, code="120115-JF-106", title="某事项", delivery="邮寄")
    delegate(item, [world.centre_a, world.centre_b])
    body = body_of(client, item)
    assert len(body.encode()) < 30_000
