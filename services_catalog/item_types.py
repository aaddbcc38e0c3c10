"""The kinds of government service items (事项类型), and the two letters each has in an item code.

Kept apart from the models so that the item-code rule (services_catalog.item_codes), which the
item editor on the page model uses, can name them without importing the models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    LICENSING = "licensing", _("Administrative licensing (行政许可)")
    BENEFIT = "benefit", _("Administrative payment (行政给付)")
    CONFIRMATION = "confirmation", _("Administrative confirmation (行政确认)")
    RULING = "ruling", _("Administrative ruling (行政裁决)")
    OTHER_POWER = "other_power", _("Other administrative power (其他行政权力)")
    PUBLIC_SERVICE = "public_service", _("Public service (公共服务)")


# The letters counties use in their power lists (权责清单): XK 许可, JF 给付, QR 确认, CJ 裁决,
# QT 其他行政权力, GG 公共服务.
ITEM_TYPE_CODES: dict[str, str] = {
    ItemType.LICENSING: "XK",
    ItemType.BENEFIT: "JF",
    ItemType.CONFIRMATION: "QR",
    ItemType.RULING: "CJ",
    ItemType.OTHER_POWER: "QT",
    ItemType.PUBLIC_SERVICE: "GG",
}
