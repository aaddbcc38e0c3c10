"""An item's application form, from the page editor to the applications filed under it.

The form is written as StreamField blocks on the item's page and read back as the same
definition; a page with a bad form cannot be saved; each publication with a changed form makes
the next `ItemFormVersion` (two editors: one writes, another approves); an application submitted
before a change keeps the version it was filed under, a draft follows the newest until submitted.
"""

import copy
import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

from approvals import item_data, services
from approvals.models import Application
from portal.errors import DomainError
from services_catalog.item_forms.blocks import stream_from_definition
from services_catalog.item_forms.schema import digest, parse_definition
from services_catalog.models import ItemFormVersion, ServiceItemPage
from services_catalog.selectors import item_form_current
from services_catalog.services import item_form_publish
from tests.approvals.conftest import cases, items, residents  # noqa: F401 (fixtures)
from tests.cms.conftest import editor, second_editor  # noqa: F401 (fixtures)
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401 (fixtures)
from tests.services_catalog.test_item_forms_values import DEFINITION as EVERY_KIND

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday


@pytest.fixture(autouse=True)
def clock():
    """Time is an input: the filing days are a fixed Monday, whatever the real clock says."""
    with time_machine.travel(WHEN, tick=False):
        yield


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


V1 = {
    "sections": [
        {
            "title": "家庭情况",
            "intro": "按实际情况填写。",
            "fields": [
                {"key": "income", "kind": "money", "label": "家庭月收入", "required": True},
                {
                    "key": "household",
                    "kind": "group",
                    "label": "家庭成员",
                    "max_items": 8,
                    "fields": [
                        {"key": "member", "kind": "person", "label": "成员", "required": True},
                        {"key": "working", "kind": "yesno", "label": "在业"},
                    ],
                },
            ],
        }
    ],
    "certificate": [{"label": "保障人数", "field": "household", "show": "count"}],
}
PEOPLE = {"key": "people", "kind": "number", "label": "家庭人口", "unit": "人", "min": "1", "required": True}


def with_people(definition: dict) -> dict:
    """`definition` with a required 家庭人口 after the income."""
    changed = copy.deepcopy(definition)
    changed["sections"][0]["fields"].insert(1, PEOPLE)
    return changed


def write_form(item: ServiceItemPage, definition: dict) -> ServiceItemPage:
    """The item's latest revision with `definition` written into its two StreamFields."""
    page = item.get_latest_revision_as_object()
    page.application_form, page.certificate_layout = stream_from_definition(
        parse_definition(definition).to_json() if definition else {}
    )
    return page


def publish_form(item: ServiceItemPage, definition: dict, user=None) -> ServiceItemPage:
    page = write_form(item, definition)
    page.save_revision(user=user).publish()
    return ServiceItemPage.objects.get(pk=item.pk)


def versions(item) -> list[int]:
    return list(ItemFormVersion.objects.filter(item=item).order_by("number").values_list("number", flat=True))


# -- the blocks write and read the same definition ------------------------------------------------


def test_the_blocks_round_trip_every_kind(dibao):  # noqa: F811
    spec = parse_definition(EVERY_KIND)
    page = write_form(dibao, EVERY_KIND)
    assert parse_definition(page.form_definition()) == spec
    assert page.form_spec() == spec
    page.save_revision().publish()
    saved = ServiceItemPage.objects.get(pk=dibao.pk)
    assert saved.form_spec() == spec
    assert saved.form_definition() == page.form_definition()


def test_a_page_without_a_form_has_an_empty_definition(dibao):  # noqa: F811
    assert dibao.form_definition() == {}
    assert dibao.form_spec().is_empty


def test_a_page_with_a_bad_form_is_refused_with_the_problems_on_the_form(dibao):  # noqa: F811
    bad = copy.deepcopy(V1)
    bad["sections"][0]["fields"].append(
        {
            "key": "other",
            "kind": "text",
            "label": "其他原因",
            "required_when": {"field": "nope", "value": "x"},
        }
    )
    bad["certificate"].append({"label": "金额", "field": "assessed"})
    page = dibao.get_latest_revision_as_object()
    form_raw, certificate_raw = stream_from_definition(bad)
    page.application_form, page.certificate_layout = form_raw, certificate_raw
    with pytest.raises(ValidationError) as caught:
        page.full_clean()
    problems = caught.value.message_dict["application_form"]
    assert problems == [
        "form · 其他原因: “required when” names “nope”, which is not a choice, yes/no or text field beside it.",
        "certificate line 2 names “assessed”, which is not a field of the form.",
    ]


# -- versions on publication ----------------------------------------------------------------------


def test_publishing_makes_version_1_and_the_same_form_again_no_other(dibao, editor):  # noqa: F811
    assert versions(dibao) == []
    item = publish_form(dibao, V1, user=editor)
    [first] = ItemFormVersion.objects.filter(item=item)
    assert first.number == 1
    assert first.definition == parse_definition(V1).to_json()
    assert first.digest == digest(first.definition)
    assert first.written_by == editor
    assert first.published_at == timezone.now()
    assert item_form_current(item.pk) == first
    assert first.spec == parse_definition(V1)

    item = publish_form(item, V1, user=editor)
    item.save_revision().publish()  # a change elsewhere on the page, the form unchanged
    assert versions(item) == [1]


def test_changing_a_field_makes_version_2(dibao):  # noqa: F811
    item = publish_form(dibao, V1)
    item = publish_form(item, with_people(V1))
    assert versions(item) == [1, 2]
    current = item_form_current(item.pk)
    assert current.number == 2 and current.spec.field("people").label == "家庭人口"
    # The first version is kept as it was.
    assert ItemFormVersion.objects.get(item=item, number=1).spec.field("people") is None


def test_removing_the_form_makes_an_empty_version_and_no_current_form(dibao):  # noqa: F811
    item = publish_form(dibao, V1)
    item = publish_form(item, {})
    assert versions(item) == [1, 2]
    assert ItemFormVersion.objects.get(item=item, number=2).definition == {}
    assert item_form_current(item.pk) is None
    item = publish_form(item, {})
    assert versions(item) == [1, 2]  # still no form: nothing new
    item = publish_form(item, V1)
    assert versions(item) == [1, 2, 3] and item_form_current(item.pk).number == 3


def test_an_item_that_never_had_a_form_makes_no_version(dibao):  # noqa: F811
    assert item_form_publish(item=dibao) is None
    assert versions(dibao) == []


def test_a_version_is_never_changed(dibao):  # noqa: F811
    version = publish_form(dibao, V1).form_versions.get()
    version.definition = {}
    with pytest.raises(ValidationError):
        version.save()


def test_two_versions_cannot_share_a_number(dibao):  # noqa: F811
    """The guard behind the lock in item_form_publish: two publications at once that both read
    version 1 cannot both write version 2."""
    item = publish_form(dibao, V1)
    first = item.form_versions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFormVersion.objects.create(
            item=item, number=1, definition={}, digest=digest({}), published_at=timezone.now()
        )
    assert list(item.form_versions.all()) == [first]


# -- through the back office: one editor writes, another approves ---------------------------------


def listblock(values) -> dict:
    data = {str(n): {"value": value, "deleted": "", "order": str(n)} for n, value in enumerate(values)}
    data["count"] = str(len(values))
    return data


def flag(value) -> str:
    return "on" if value else ""


def block_post(field: dict, *, top: bool) -> tuple[str, dict]:
    """One field as the form editor's blocks post it."""
    kind = field["kind"]
    when = field.get("required_when") or {}
    value = {
        "key": field["key"],
        "label": field["label"],
        "help_text": field.get("help_text", ""),
        "required": flag(field.get("required")),
        "required_when_field": when.get("field", ""),
        "required_when_value": when.get("value", ""),
    }
    if kind == "text":
        value.update(
            max_length=str(field.get("max_length", 100)),
            pattern=field.get("pattern", ""),
            pattern_message=field.get("pattern_message", ""),
            multiline=flag(field.get("multiline")),
        )
    if kind in ("number", "money"):
        value.update(min=field.get("min", ""), max=field.get("max", ""))
    if kind == "number":
        value.update(unit=field.get("unit", ""), decimals=str(field.get("decimals", 0)))
    if kind == "date":
        value["past_only"] = flag(field.get("past_only"))
    if kind == "choice":
        value["choices"] = listblock(field["choices"])
    if kind == "group":
        value["max_items"] = str(field.get("max_items", 8))
        value["fields"] = streamfield([block_post(child, top=False) for child in field["fields"]])
    elif top:
        value["office_only"] = flag(field.get("office_only"))
    return kind, value


def form_post(definition: dict) -> dict:
    sections = [
        (
            "section",
            {
                "title": section["title"],
                "intro": section.get("intro", ""),
                "fields": streamfield([block_post(field, top=True) for field in section["fields"]]),
            },
        )
        for section in definition["sections"]
    ]
    lines = [("line", dict(line)) for line in definition.get("certificate", [])]
    return nested_form_data(
        {"application_form": streamfield(sections), "certificate_layout": streamfield(lines)}
    )


def edit_and_submit(client, user, item: ServiceItemPage, definition: dict):
    """What the editor does: open the item in the back office, write the form, submit it for
    review. Every other input is posted as the edit page shows it."""
    client.force_login(user)
    url = reverse("wagtailadmin_pages:edit", args=(item.pk,))
    page = client.get(url)
    assert page.status_code == 200
    data = querydict_from_html(page.content.decode(), form_id="page-edit-form")
    for name in list(data):
        if name.startswith(("application_form", "certificate_layout")):
            del data[name]
    data.update(form_post(definition))
    data["action-submit"] = "action-submit"
    return client.post(url, data)


def prefers_english(user):
    from wagtail.users.models import UserProfile  # why: the admin speaks the profile's language

    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def test_a_field_added_in_the_back_office_needs_a_second_editor(client, dibao, editor, second_editor):  # noqa: F811
    item = publish_form(dibao, V1)
    assert versions(item) == [1]

    response = edit_and_submit(client, prefers_english(editor), item, with_people(V1))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    item.refresh_from_db()
    task_state = item.current_workflow_task_state
    assert task_state is not None
    assert item.get_latest_revision_as_object().form_spec().field("people") is not None
    assert versions(item) == [1]  # written, not published

    approve = reverse("wagtailadmin_pages:workflow_action", args=(item.pk, "approve", task_state.pk))
    assert client.post(approve).status_code in (302, 403)  # the author may not approve
    item.refresh_from_db()
    assert versions(item) == [1] and item.workflow_in_progress
    assert item_form_current(item.pk).spec.field("people") is None

    client.force_login(second_editor)
    assert client.post(approve).status_code == 302
    item.refresh_from_db()
    assert not item.workflow_in_progress
    assert versions(item) == [1, 2]
    current = item_form_current(item.pk)
    assert current.spec == parse_definition(with_people(V1))
    assert current.written_by == editor  # the revision's author; the approver is in the workflow


def test_the_editor_is_told_about_a_bad_form_and_nothing_is_submitted(client, dibao, editor):  # noqa: F811
    bad = with_people(V1)
    bad["certificate"].append({"label": "人口", "field": "people", "show": "count"})
    response = edit_and_submit(client, prefers_english(editor), dibao, bad)
    assert response.status_code == 200
    assert "only a group can be counted" in response.content.decode()
    dibao.refresh_from_db()
    assert dibao.current_workflow_task_state is None
    assert versions(dibao) == []


# -- applications keep the version they were filed under ------------------------------------------


def test_a_filed_application_keeps_its_version_and_a_new_draft_follows(cases, items, world):  # noqa: F811
    item = publish_form(items["dibao"], V1)
    assistant = world.assistant_a1
    v1 = item_form_current(item.pk)

    filed = cases.draft()
    assert filed.form_version == v1
    parsed = services.item_data_save(
        actor=assistant, application=filed, raw={"income": "800", "household.0.member.name": "张小明"}
    )
    assert parsed.errors == {}
    # A draft is checked in full at submission: the member needs an ID number and a relation.
    with pytest.raises(DomainError, match="家庭成员 1 · 成员 · ID number"):
        services.application_submit(actor=assistant, application=filed)
    services.item_data_save(
        actor=assistant,
        application=filed,
        raw={
            "income": "800",
            "household.0.member.name": "张小明",
            "household.0.member.id_number": cases.residents["a1"].id_number,
            "household.0.member.relation": "本人",
        },
    )
    filed, submitted = services.application_submit(actor=assistant, application=filed)
    assert submitted and filed.number

    waiting = cases.draft()  # started before the change, not yet submitted
    services.item_data_save(actor=assistant, application=waiting, raw={"income": "900"})

    item = publish_form(item, with_people(V1))
    v2 = item_form_current(item.pk)
    assert v2.number == 2

    filed = Application.objects.get(pk=filed.pk)
    assert filed.form_version == v1
    assert item_data.form_of(filed) == parse_definition(V1)
    assert item_data.form_of(filed).field("people") is None
    assert item_data.problems(filed, today=WHEN.date()) == []
    assert item_data.full_data(filed)["income"] == 80000

    fresh = services.draft_start(actor=assistant, item=item, village=world.village_a1)
    assert fresh.form_version == v2
    assert item_data.form_of(fresh).field("people").label == "家庭人口"
    assert "Application form: “家庭人口”: Fill this in." in item_data.problems(fresh, today=WHEN.date())

    # The draft started before the change follows the newest form until it is submitted.
    waiting = Application.objects.get(pk=waiting.pk)
    with pytest.raises(DomainError, match="家庭人口"):
        services.application_submit(actor=assistant, application=waiting)
    waiting = Application.objects.get(pk=waiting.pk)
    services.item_data_save(actor=assistant, application=waiting, raw={"income": "900", "people": "3"})
    waiting, submitted = services.application_submit(actor=assistant, application=waiting)
    assert submitted and waiting.form_version == v2
    assert item_data.full_data(waiting) == {"income": 90000, "people": 3}


def test_a_draft_of_an_item_whose_form_was_removed_asks_for_nothing(cases, items, world):  # noqa: F811
    item = publish_form(items["dibao"], V1)
    draft = cases.draft()
    assert draft.form_version is not None
    publish_form(item, {})
    draft = Application.objects.get(pk=draft.pk)
    draft, submitted = services.application_submit(actor=world.assistant_a1, application=draft)
    assert submitted and draft.form_version is None
    assert item_data.form_of(draft).is_empty


# -- two publications at once --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_publications_at_once_never_share_a_number(dibao):  # noqa: F811
    """Each thread on its own connection publishes the same changed form. Whatever the order,
    the numbers stay unique and the form is kept once: the second waits on the item's row, then
    finds the first one's version (neither publication fails)."""
    page = None

    def publish(outcomes: list[str]) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                item_form_publish(item=page)
            outcomes.append("done")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    for definition in (V1, with_people(V1), EVERY_KIND):
        page = write_form(dibao, definition)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []
        threads = [threading.Thread(target=publish, args=(outcomes,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert outcomes == ["done", "done"]  # the second waits for the first, then finds its version
        numbers = versions(dibao)
        assert numbers == list(range(1, len(numbers) + 1))
        kept = ItemFormVersion.objects.filter(item=dibao, digest=digest(page.form_spec().to_json()))
        assert kept.count() == 1
