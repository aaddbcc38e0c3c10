"""The catalogue spreadsheet format (事项清单导入格式), as data: sheets, columns, vocabularies.

docs/catalogue-format.md is the specification; this module is its only transcription, so the
reader, the checks and the export cannot disagree about a column name or an accepted word.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from services_catalog.models import DelegationMode, ItemType, Material

ITEMS = "items"
MATERIALS = "materials"
DELEGATIONS = "delegations"
SYNONYMS = "synonyms"
SHEETS = (ITEMS, MATERIALS, DELEGATIONS, SYNONYMS)
SHEET_HEADINGS = {ITEMS: "事项", MATERIALS: "申请材料", DELEGATIONS: "权限下放", SYNONYMS: "常用说法"}


@dataclass(frozen=True)
class Column:
    """One column of a sheet. `required` means a row must give a value in it; `may_be_absent`
    that a file written before the column existed still imports (its cells read as empty)."""

    key: str
    heading: str
    required: bool = False
    may_be_absent: bool = False

    @property
    def header(self) -> str:
        """What the export writes in row 1: the key for the machine, the Chinese for people."""
        return f"{self.key}/{self.heading}"


COLUMNS: dict[str, tuple[Column, ...]] = {
    ITEMS: (
        Column("item_code", "事项编码", required=True),
        Column("name", "事项名称", required=True),
        Column("item_type", "事项类型", required=True),
        Column("department", "实施主体", required=True),
        Column("life_events", "主题", required=True),
        Column("applicant_scope", "受理范围", required=True),
        Column("summary", "事项简介"),
        Column("conditions", "受理条件", required=True),
        Column("legal_basis", "设定依据", required=True),
        Column("steps", "办理流程", required=True),
        Column("special_procedures", "特别程序"),
        Column("legal_limit_days", "法定办结时限", required=True),
        Column("promised_limit_days", "承诺办结时限", required=True),
        Column("immediate", "即办件", required=True),
        Column("fee", "收费标准"),
        Column("fee_basis", "收费依据"),
        Column("visits", "到现场次数", required=True),
        Column("village_proxy", "村级代办", required=True),
        Column("online", "网上可办", required=True),
        Column("offline_reason", "不能网办原因", may_be_absent=True),
        # 网上申请: villagers may start it themselves (needs 网上可办 and 村级代办).
        Column("online_filing", "可网上申请", may_be_absent=True),
        Column("delivery", "送达方式"),
        Column("second_level_approval", "需中心负责人审批", required=True),
        Column("certificate", "结果证照名称"),
        Column("certificate_valid_months", "证照有效期（月）", may_be_absent=True),
        Column("consult_phone", "咨询电话"),
        Column("complaint_phone", "投诉电话"),
        Column("procedure_basis", "程序依据", may_be_absent=True),
        # The item's application form (申请表) as a JSON definition (services_catalog/item_forms/
        # schema.py); empty means the item asks nothing beyond the applicant and the materials.
        Column("application_form", "申请表", may_be_absent=True),
    ),
    MATERIALS: (
        Column("item_code", "事项编码", required=True),
        Column("order", "序号", required=True),
        Column("name", "材料名称", required=True),
        Column("form", "材料形式", required=True),
        Column("copies", "份数", required=True),
        Column("required", "是否必要", required=True),
        Column("may_be_missing", "容缺", required=True),
        Column("notes", "备注"),
    ),
    DELEGATIONS: (
        Column("item_code", "事项编码", required=True),
        Column("department", "下放部门", required=True),
        Column("townships", "下放到", required=True),
        Column("mode", "下放方式", required=True),
        Column("document_number", "文件文号", required=True),
        Column("valid_from", "生效日期", required=True),
        Column("valid_until", "截止日期"),
        Column("revoked_on", "撤销日期"),
        Column("revoked_reason", "撤销原因"),
    ),
    SYNONYMS: (
        Column("phrase", "常用说法", required=True),
        Column("means", "规范用语", required=True),
    ),
}

# Words accepted in cells, mapped to stored values. Exports write the first word for a value.
ITEM_TYPES = {
    "行政许可": ItemType.LICENSING,
    "行政给付": ItemType.BENEFIT,
    "行政确认": ItemType.CONFIRMATION,
    "行政裁决": ItemType.RULING,
    "其他行政权力": ItemType.OTHER_POWER,
    "公共服务": ItemType.PUBLIC_SERVICE,
}
MATERIAL_FORMS = {
    "原件": Material.Form.ORIGINAL,
    "复印件": Material.Form.COPY,
    "原件和复印件": Material.Form.BOTH,
}
DELEGATION_MODES = {"授权": DelegationMode.AUTHORISATION, "委托": DelegationMode.ENTRUSTMENT}
YES_WORDS = ("是", "y", "yes", "1")
NO_WORDS = ("否", "n", "no", "0")
YES, NO = YES_WORDS[0], NO_WORDS[0]

# 受理范围: the item model knows two audiences, individuals and organisations; 法人 and 其他组织
# both mean the second, so an export writes both words for it.
APPLICANT_INDIVIDUALS = "个人"
APPLICANT_ORGANISATIONS = ("法人", "其他组织")

ALL_TOWNSHIPS = "全部"
SPECIAL_PROCEDURE_SEPARATOR = "|"
# What joins several values when the export writes one cell.
VALUE_SEPARATOR = "；"

_MULTI_VALUE = re.compile(r"[\n；;]")


def header_key(cell: str) -> str:
    """The key of a header cell written as `key` or `key/中文` (case and spaces ignored)."""
    return cell.split("/", 1)[0].strip().lower()


def split_values(text: str) -> list[str]:
    """A multi-value cell (主题, 受理范围, 下放到): values separated by a newline, `；` or `;`."""
    return [value.strip() for value in _MULTI_VALUE.split(text) if value.strip()]


def split_lines(text: str) -> list[str]:
    """A one-per-line cell (受理条件, 设定依据, 办理流程, 特别程序).

    Only newlines separate: a condition or a legal citation may itself contain `；`."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def yes_no(value: bool) -> str:
    return YES if value else NO


def word_for(mapping: Mapping[str, str], value: str) -> str:
    """The cell word for a stored value (the first word that maps to it)."""
    return next(word for word, stored in mapping.items() if stored == value)
