"""A realistic application form for tests (最低生活保障), and giving an item a form as an editor
would: written into the page's StreamFields and published, which makes a form version."""

from services_catalog.item_forms.blocks import stream_from_definition
from services_catalog.item_forms.schema import parse_definition
from services_catalog.models import ItemFormVersion, ServiceItemPage

DIBAO_FORM = {
    "sections": [
        {
            "title": "家庭成员",
            "intro": "共同生活的家庭成员，包括申请人本人。",
            "fields": [
                {
                    "key": "household",
                    "kind": "group",
                    "label": "家庭成员",
                    "required": True,
                    "max_items": 8,
                    "fields": [
                        {"key": "member", "kind": "person", "label": "成员", "required": True},
                        {
                            "key": "monthly_income",
                            "kind": "money",
                            "label": "月收入",
                            "min": "0",
                            "max": "100000",
                        },
                        {
                            "key": "work",
                            "kind": "choice",
                            "label": "就业状况",
                            "choices": ["务农", "务工", "无业", "在校"],
                        },
                    ],
                },
            ],
        },
        {
            "title": "家庭情况",
            "fields": [
                {
                    "key": "reason",
                    "kind": "choice",
                    "label": "申请原因",
                    "required": True,
                    "choices": ["因病", "因残", "因灾", "缺乏劳动力", "其他"],
                },
                {"key": "has_car", "kind": "yesno", "label": "家里有机动车", "required": True},
                {
                    "key": "car_note",
                    "kind": "text",
                    "label": "车辆情况",
                    "max_length": 100,
                    "required_when": {"field": "has_car", "value": "yes"},
                },
                {"key": "bank", "kind": "bank_account", "label": "低保金发放账户", "required": True},
                {"key": "monthly_benefit", "kind": "money", "label": "月保障金额", "office_only": True},
            ],
        },
    ],
    "certificate": [
        {"label": "保障人数", "field": "household", "show": "count"},
        {"label": "月保障金额", "field": "monthly_benefit"},
    ],
}


def give_form(item: ServiceItemPage, definition: dict = DIBAO_FORM, *, user=None) -> ItemFormVersion | None:
    """Write `definition` into the item page and publish it (a new version when it changed)."""
    definition = parse_definition(definition).to_json()
    form, lines = stream_from_definition(definition)
    item.application_form = form
    item.certificate_layout = lines
    item.save_revision(user=user).publish(user=user)
    return ItemFormVersion.objects.filter(item=item).order_by("-number").first()
