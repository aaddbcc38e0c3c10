"""Which law an application's papers cite, by the item's type, unless the item names its own.

The one-time notice (一次性告知书), the acceptance notice (受理通知书), the refusal to accept
(不予受理决定书) and the refusal of the request (不予许可/不予给付/… 决定书) each say under which law
the office acts. 《行政许可法》 governs licences only: its 第三十二条 (acceptance, the one-time
notice, refusal to accept) and 第三十八条 (a refusal is written, with reasons and the remedies).
Other types have no one procedural code; a benefit such as 最低生活保障 acts under its own
regulation (《社会救助暂行办法》第十一条, 《最低生活保障审核确认办法》), which only the item knows,
so an item may name its own basis (`ServiceItemPage.procedure_basis`) and otherwise its papers
cite the State Council's rules for government services, which require the one-time notice and a
written answer for every item (国发〔2022〕5号), never 《行政许可法》.

The refusal's title follows the type too: 不予许可 for a licence, 不予给付 for a benefit, 不予确认
for a confirmation, 不予办理 for everything else.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ItemType, ServiceItemPage

LICENSING_LAW = "《中华人民共和国行政许可法》"
GOVERNMENT_SERVICE_RULES = "《国务院关于加快推进政务服务标准化规范化便利化的指导意见》（国发〔2022〕5号）"


@dataclass(frozen=True)
class ProcedureLaw:
    """The citations for one type: at receipt (acceptance, notice, refusal to accept) and at
    the decision (a refusal of the request)."""

    at_receipt: str
    at_decision: str


DEFAULT_LAW: dict[str, ProcedureLaw] = {
    ItemType.LICENSING: ProcedureLaw(f"{LICENSING_LAW}第三十二条", f"{LICENSING_LAW}第三十八条"),
    **{
        item_type: ProcedureLaw(GOVERNMENT_SERVICE_RULES, GOVERNMENT_SERVICE_RULES)
        for item_type in ItemType
        if item_type != ItemType.LICENSING
    },
}
"""Per item type; every type is here (a test holds it), so no item falls back to the licensing law."""

REFUSAL_TITLES: dict[str, Promise] = {
    ItemType.LICENSING: _("Decision refusing the licence (不予许可决定书)"),
    ItemType.BENEFIT: _("Decision refusing the payment (不予给付决定书)"),
    ItemType.CONFIRMATION: _("Decision refusing the confirmation (不予确认决定书)"),
}
GENERIC_REFUSAL_TITLE = _("Decision refusing the request (不予办理决定书)")


def procedure_law(item: ServiceItemPage) -> ProcedureLaw:
    """The item's own basis for both papers when it names one, else its type's default."""
    own = (item.procedure_basis or "").strip()
    if own:
        return ProcedureLaw(own, own)
    return DEFAULT_LAW.get(item.item_type, ProcedureLaw(GOVERNMENT_SERVICE_RULES, GOVERNMENT_SERVICE_RULES))


def refusal_title(item_type: str) -> Promise:
    """不予许可 / 不予给付 / 不予确认 by type; 不予办理 for the rest (a ruling, a public service …)."""
    return REFUSAL_TITLES.get(item_type, GENERIC_REFUSAL_TITLE)


def cites_licensing_law(text: str) -> bool:
    """Does `text` cite 《行政许可法》? An item that is not a licence may not (see `validate`)."""
    return "行政许可法" in text
