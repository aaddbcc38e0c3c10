"""The inbox and its CSV export filtered by, and showing, fields of the item's application form
(issue 19, part 3): only when one item is shown, never widening what the clerk may see, never
a 500 on a bad query string, and a constant number of queries however many rows have data."""

import csv
import io
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from approvals import selectors
from approvals.models import Application
from services_catalog.item_forms.schema import digest, parse_definition
from services_catalog.models import ItemFormVersion
from tests.approvals.conftest import cases, items, residents  # noqa: F401 (fixtures)
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

DEFINITION = {
    "sections": [
        {
            "title": "家庭情况",
            "intro": "",
            "fields": [
                {"key": "monthly_income", "kind": "money", "label": "家庭月收入", "min": "0"},
                {"key": "household_size", "kind": "number", "label": "家庭人口", "unit": "人"},
                {"key": "disabled", "kind": "yesno", "label": "有残疾人"},
                {"key": "category", "kind": "choice", "label": "类别", "choices": ["低保", "特困"]},
                {"key": "employer", "kind": "text", "label": "工作单位", "max_length": 50},
                {"key": "since", "kind": "date", "label": "困难起始日期"},
                {
                    "key": "household",
                    "kind": "group",
                    "label": "家庭成员",
                    "max_items": 8,
                    "fields": [{"key": "member", "kind": "person", "label": "成员"}],
                },
            ],
        }
    ],
    "certificate": [],
}

DATA = [
    {
        "monthly_income": 50000,
        "household_size": 2,
        "disabled": True,
        "category": "低保",
        "employer": "宝坻区第一纺织厂",
        "since": "2025-03-01",
    },
    {
        "monthly_income": 100050,
        "household_size": 4,
        "disabled": False,
        "category": "特困",
        "employer": "大钟庄农机站",
        "since": "2025-09-15",
    },
    {
        "monthly_income": 150000,
        "household_size": 6,
        "disabled": False,
        "category": "低保",
        "employer": "无",
        "since": "2026-01-10",
    },
]


def publish_form(item) -> ItemFormVersion:
    definition = parse_definition(DEFINITION).to_json()
    return ItemFormVersion.objects.create(
        item=item, number=1, definition=definition, digest=digest(definition), published_at=timezone.now()
    )


def copies(template: Application, data: list[dict], version, tag: str = "") -> list[Application]:
    """More submitted applications like `template`, each with its data (bulk, no services)."""
    made = []
    for n, item_data in enumerate(data):
        copy = Application.objects.get(pk=template.pk)
        copy.pk = None
        copy.number = f"{template.number}-{tag}{n}"
        copy.client_token = uuid.uuid4()
        copy.form_version = version
        copy.item_data = item_data
        made.append(copy)
    return Application.objects.bulk_create(made)


@pytest.fixture
def filed(cases, world):  # noqa: F811
    """Three submitted dibao applications of centre A with data, one of centre B."""
    item = cases.items["dibao"]
    version = publish_form(item)
    first = cases.submitted()
    Application.objects.filter(pk=first.pk).update(form_version=version, item_data=DATA[0])
    rest = copies(first, DATA[1:], version)
    theirs = cases.submitted(where="b1")
    Application.objects.filter(pk=theirs.pk).update(form_version=version, item_data=DATA[0])
    return {"item": item, "version": version, "ours": [first, *rest], "theirs": theirs}


def inbox(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("approvals:inbox"), params)
    assert response.status_code == 200
    return response.content.decode()


def export(client, user, **params) -> list[list[str]]:
    client.force_login(user)
    response = client.get(reverse("approvals:export"), params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def shown(html: str, filed) -> set[int]:
    """Which of centre A's three applications (0, 1, 2) the page lists."""
    return {n for n, a in enumerate(filed["ours"]) if f'<span class="num">{a.number}</span>' in html}


def test_the_fields_are_offered_only_when_one_item_is_shown(client, world, filed):
    html = inbox(client, world.clerk_a)
    assert "f.monthly_income.min" not in html
    html = inbox(client, world.clerk_a, item=filed["item"].pk)
    for name in ("f.monthly_income.min", "f.household_size.max", "f.disabled", "f.category", "f.employer"):
        assert f'name="{name}"' in html
    assert 'name="f.since.from"' in html and 'name="f.since.to"' in html
    assert 'name="f.household"' not in html and 'value="household"' not in html  # a group is no column
    assert 'name="show" value="monthly_income"' in html


FILTERS = [
    ({"f.monthly_income.min": "800", "f.monthly_income.max": "1200"}, {1}),
    ({"f.monthly_income.min": "1000.50"}, {1, 2}),  # money typed in yuan, stored in fen
    ({"f.monthly_income.max": "1000.49"}, {0}),
    ({"f.household_size.min": "4"}, {1, 2}),
    ({"f.disabled": "yes"}, {0}),
    ({"f.disabled": "no"}, {1, 2}),
    ({"f.category": "低保"}, {0, 2}),
    ({"f.category": "低保", "f.disabled": "no"}, {2}),
    ({"f.employer": "农机"}, {1}),
    ({"f.employer": "农机", "f.employer.how": "exact"}, set()),
    ({"f.employer": "无", "f.employer.how": "exact"}, {2}),
    ({"f.since.from": "2025-06-01", "f.since.to": "2025-12-31"}, {1}),
    ({"f.since.from": "2025-06-01"}, {1, 2}),
]


def test_filters_on_the_form_fields(client, world, filed):
    for params, expected in FILTERS:
        html = inbox(client, world.clerk_a, item=filed["item"].pk, **params)
        assert shown(html, filed) == expected, params
        assert filed["theirs"].number not in html


def test_filters_need_the_item_and_never_widen_the_list(client, world, filed):
    # Without the item, the field filters are not fields of the form: ignored.
    assert shown(inbox(client, world.clerk_a, **{"f.disabled": "yes"}), filed) == {0, 1, 2}
    # Centre B's clerk filters the same way and sees only centre B's application.
    html = inbox(client, world.clerk_b, item=filed["item"].pk, **{"f.disabled": "yes"})
    assert filed["theirs"].number in html and not shown(html, filed)


BAD_VALUES = [
    {"f.monthly_income.min": "abc"},
    {"f.monthly_income.min": "1e999999"},
    {"f.monthly_income.min": "10.123"},
    {"f.since.from": "2025-02-30"},
    {"f.category": "没有这一类"},
    {"f.disabled": "maybe"},
    {"f.monthly_income.min": "2000", "f.monthly_income.max": "100"},
]


def test_a_bad_value_is_an_error_next_to_the_field_and_drops_only_that_filter(client, world, filed):
    for params in BAD_VALUES:
        html = inbox(client, world.clerk_a, item=filed["item"].pk, state="submitted", **params)
        assert 'class="errorlist' in html, params
        assert shown(html, filed) == {0, 1, 2}, params
        rows = export(client, world.clerk_a, item=filed["item"].pk, **params)
        assert len(rows) == 4, params
    # The other filters still apply next to a bad one.
    html = inbox(client, world.clerk_a, item=filed["item"].pk, state="accepted", **BAD_VALUES[0])
    assert 'class="errorlist' in html and not shown(html, filed)


UNKNOWN = [
    {"f.nothing": "1", "f.nothing.min": "x"},
    {"show": ["nothing", "monthly_income"]},
    {"show": "household"},
    {"item": "999999", "f.disabled": "yes", "show": "monthly_income"},
    {"item": "abc"},
]


def test_unknown_names_never_fail(client, world, filed):
    for params in UNKNOWN:
        params = {"item": filed["item"].pk, **params}
        inbox(client, world.clerk_a, **params)  # a 200, whatever was asked
        export(client, world.clerk_a, **params)


def test_chosen_fields_show_in_the_list_with_money_in_yuan(client, world, filed):
    html = inbox(client, world.clerk_a, item=filed["item"].pk, show=["monthly_income", "disabled", "since"])
    assert "家庭月收入：1,000.50" in html and "家庭月收入：500" in html
    assert "困难起始日期：2025-09-15" in html
    assert "工作单位：" not in html  # not chosen


def test_chosen_fields_are_columns_of_the_export(client, world, filed):
    rows = export(
        client,
        world.clerk_a,
        item=filed["item"].pk,
        show=["since", "monthly_income", "disabled", "category"],
        **{"f.monthly_income.min": "900"},
    )
    header, *lines = rows
    assert header[-4:] == ["家庭月收入（元）", "有残疾人", "类别", "困难起始日期"]  # the form's order
    by_number = {line[0]: line[-4:] for line in lines}
    assert by_number == {
        filed["ours"][1].number: ["1000.5", "否", "特困", "2025-09-15"],
        filed["ours"][2].number: ["1500", "否", "低保", "2026-01-10"],
    }


def test_the_export_without_an_item_is_as_before(client, world, filed):
    header, *lines = export(client, world.clerk_a, show="monthly_income")
    assert len(header) == 7 and len(lines) == 3


def test_query_counts_do_not_grow_with_rows_and_columns(client, world, filed, django_assert_max_num_queries):
    params = {
        "item": filed["item"].pk,
        "f.monthly_income.min": "0",
        "f.category": "低保",
        "show": ["monthly_income", "category", "since", "employer"],
    }
    client.force_login(world.clerk_a)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("approvals:inbox"), params)
    with django_assert_max_num_queries(30) as few_export:
        b"".join(client.get(reverse("approvals:export"), params).streaming_content)
    copies(filed["ours"][0], [DATA[0], DATA[2]] * 14, filed["version"], tag="m")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("approvals:inbox"), params).content.decode()
    assert html.count('<li><a href="/work/') == 30
    with django_assert_max_num_queries(len(few_export.captured_queries)):
        body = b"".join(client.get(reverse("approvals:export"), params).streaming_content).decode()
    assert body.count("\n") == 31


def test_the_selector_ignores_what_the_form_does_not_have(filed):
    D = selectors.DataFilter
    queryset = Application.objects.filter(pk__in=[a.pk for a in filed["ours"]])
    form = filed["version"].spec
    odd = [
        D("nothing", selectors.DataOp.EXACT, 1),
        D("household", selectors.DataOp.EXACT, []),  # a group
        D("disabled", selectors.DataOp.AT_LEAST, 1),  # no range on yes/no
        D("category", selectors.DataOp.EXACT, ""),
    ]
    assert selectors.filter_by_item_data(queryset, form, odd).count() == 3
    both = [
        D("category", selectors.DataOp.EXACT, "低保"),
        D("monthly_income", selectors.DataOp.AT_LEAST, 60000),
    ]
    assert list(selectors.filter_by_item_data(queryset, form, both).values_list("pk", flat=True)) == [
        filed["ours"][2].pk
    ]


@pytest.mark.postgres
def test_an_exact_filter_can_use_the_gin_index(filed):
    """Containment (`@>`) is what the jsonb_path_ops index answers; the planner shows it once
    sequential scans are off (a test table is too small to choose the index on its own)."""
    D = selectors.DataFilter
    form = filed["version"].spec
    queryset = selectors.filter_by_item_data(
        Application.objects.all(),
        form,
        [D("category", selectors.DataOp.EXACT, "低保"), D("disabled", selectors.DataOp.EXACT, True)],
    )
    sql, params = queryset.query.sql_with_params()
    assert "@>" in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "app_item_data_gin" in plan, plan
