"""Catalogue files built in code: `catalogue_data()` is a small, valid catalogue for the `world`
county as Python rows, one dict per row keyed by column; tests change a cell or two and write
it as a workbook (`workbook_bytes`) or a CSV folder (`csv_folder`):

    items         120115-JF-001 低保 (d1, 3 materials, delegated to A and B by 委托)
                  120115-JF-002 高龄津贴 (d1, 2 materials, delegated to 全部 by 授权)
                  120115-GG-003 就业登记 (d2, 1 material, not delegated)
    synonyms      低保 → 最低生活保障, 高龄补贴 → 高龄津贴

`import_data` imports such a catalogue as the system; `database_counts` counts every table an
import may write to, to prove that a refused import wrote nothing.
"""

import csv
import io
from pathlib import Path

from openpyxl import Workbook
from wagtail.models import ModelLogEntry, Page, PageLogEntry, Revision

from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.services import catalogue_import
from services_catalog.models import Delegation, LegalBasis, Material, SpecialProcedure, Synonym


def catalogue_data() -> dict[str, list[dict]]:
    """A valid catalogue for the `world` county, as rows of cells (a fresh copy every call)."""
    return {
        fmt.ITEMS: [
            {
                "item_code": "120115-JF-001",
                "name": "最低生活保障审核确认",
                "item_type": "行政给付",
                "department": "宝坻区民政局",
                "life_events": "社会救助；社会保障",
                "applicant_scope": "个人",
                "summary": "家庭人均收入低于当地低保标准的困难家庭，可以申请最低生活保障金。",
                "conditions": "具有本区户籍\n家庭人均收入低于当地低保标准",
                "legal_basis": "《社会救助暂行办法》第九条\n《天津市最低生活保障办法》第六条",
                "steps": "申请人向村级代办员提出申请\n乡镇受理审核\n公示\n区民政局审批",
                "special_procedures": "公示|7|《最低生活保障审核确认办法》第二十一条",
                "legal_limit_days": 30,
                "promised_limit_days": 20,
                "immediate": "否",
                "fee": "不收费",
                "fee_basis": "",
                "visits": 0,
                "village_proxy": "是",
                "online": "是",
                "delivery": "村级代办员送达；邮寄",
                "second_level_approval": "是",
                "certificate": "最低生活保障金领取证",
                "certificate_valid_months": 12,
                "consult_phone": "022-29240101",
                "complaint_phone": "12345",
            },
            {
                "item_code": "120115-JF-002",
                "name": "高龄津贴申领",
                "item_type": "行政给付",
                "department": "宝坻区民政局",
                "life_events": "养老",
                "applicant_scope": "个人",
                "summary": "八十周岁以上老年人可以按月领取高龄津贴。",
                "conditions": "具有本区户籍\n年满八十周岁",
                "legal_basis": "《天津市老年人权益保障条例》第二十条",
                "steps": "申请人向村级代办员提出申请\n乡镇审核\n区民政局确认",
                "special_procedures": "",
                "legal_limit_days": 20,
                "promised_limit_days": 10,
                "immediate": "N",
                "fee": "",
                "fee_basis": "",
                "visits": 0,
                "village_proxy": "Y",
                "online": "no",
                "delivery": "银行卡发放",
                "second_level_approval": "0",
                "certificate": "",
                "consult_phone": "022-29240101",
                "complaint_phone": "12345",
            },
            {
                "item_code": "120115-GG-003",
                "name": "就业登记",
                "item_type": "公共服务",
                "department": "宝坻区人力资源和社会保障局",
                "life_events": "就业",
                "applicant_scope": "个人；法人",
                "summary": "",
                "conditions": "在法定劳动年龄内\n已与用人单位签订劳动合同",
                "legal_basis": "《就业服务与就业管理规定》第六十二条",
                "steps": "提交材料\n当场办结",
                "special_procedures": "",
                "legal_limit_days": 1,
                "promised_limit_days": 1,
                "immediate": "是",
                "fee": "",
                "fee_basis": "",
                "visits": 1,
                "village_proxy": "否",
                "online": "是",
                "delivery": "",
                "second_level_approval": "否",
                "certificate": "",
                "consult_phone": "022-29240102",
                "complaint_phone": "12345",
            },
        ],
        fmt.MATERIALS: [
            # Given out of order on purpose: the checklist follows the `order` column.
            _material("120115-JF-001", 2, "户口簿", "复印件"),
            _material("120115-JF-001", 1, "居民身份证", "原件和复印件"),
            _material(
                "120115-JF-001",
                3,
                "家庭收入情况声明",
                "原件",
                required="否",
                may_be_missing="是",
                notes="村级代办员可代填",
            ),
            _material("120115-JF-002", 1, "居民身份证", "原件"),
            _material("120115-JF-002", 2, "银行卡", "复印件"),
            _material("120115-GG-003", 1, "劳动合同", "原件和复印件", copies=2),
        ],
        fmt.DELEGATIONS: [
            {
                "item_code": "120115-JF-001",
                "department": "宝坻区民政局",
                "townships": "郝各庄镇；霍各庄镇",
                "mode": "委托",
                "document_number": "宝坻政发〔2024〕12号",
                "valid_from": "2024-03-01",
                "valid_until": "",
                "revoked_on": "",
                "revoked_reason": "",
            },
            {
                "item_code": "120115-JF-002",
                "department": "宝坻区民政局",
                "townships": "全部",
                "mode": "授权",
                "document_number": "宝坻民发〔2024〕3号",
                "valid_from": "2024-05-01",
                "valid_until": "2026-12-31",
                "revoked_on": "",
                "revoked_reason": "",
            },
        ],
        fmt.SYNONYMS: [
            {"phrase": "低保", "means": "最低生活保障"},
            {"phrase": "高龄补贴", "means": "高龄津贴"},
        ],
    }


def _material(code, order, name, form, *, copies=1, required="是", may_be_missing="否", notes="") -> dict:
    return {
        "item_code": code,
        "order": order,
        "name": name,
        "form": form,
        "copies": copies,
        "required": required,
        "may_be_missing": may_be_missing,
        "notes": notes,
    }


def _header(sheet: str, bilingual: bool) -> list[str]:
    return [column.header if bilingual else column.key for column in fmt.COLUMNS[sheet]]


def workbook_bytes(data: dict[str, list[dict]], *, bilingual: bool = True) -> bytes:
    """The catalogue as an XLSX workbook; headers as `key/中文` or, if not bilingual, `key`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in data.items():
        worksheet = workbook.create_sheet(sheet)
        header = _header(sheet, bilingual)
        worksheet.append(header)
        keys = [fmt.header_key(cell) for cell in header]
        for row in rows:
            worksheet.append([row.get(key, "") for key in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_folder(data: dict[str, list[dict]], folder: Path, *, bilingual: bool = False) -> Path:
    """The catalogue as items.csv, materials.csv, delegations.csv and synonyms.csv in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, rows in data.items():
        header = _header(sheet, bilingual)
        keys = [fmt.header_key(cell) for cell in header]
        with (folder / f"{sheet}.csv").open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            writer.writerows([row.get(key, "") for key in keys] for row in rows)
    return folder


def database_counts() -> dict[str, int]:
    """Every table an import may write to."""
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "page log entries": PageLogEntry.objects.count(),
        "other log entries": ModelLogEntry.objects.count(),
        "materials": Material.objects.count(),
        "legal bases": LegalBasis.objects.count(),
        "special procedures": SpecialProcedure.objects.count(),
        "delegations": Delegation.objects.count(),
        "delegation centres": Delegation.centres.through.objects.count(),
        "synonyms": Synonym.objects.count(),
    }


def import_data(county_home, data=None, **kwargs):
    return catalogue_import(
        actor=kwargs.pop("actor", None),
        source=workbook_bytes(data or catalogue_data()),
        county_home=county_home,
        **kwargs,
    )
