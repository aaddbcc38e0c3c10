"""Write a county's catalogue in the import format, so a county can edit it and import it back.

The export writes exactly what `catalogue_import` reads and nothing it would read differently:
importing an unedited export changes nothing (tests/catalogue_io/test_catalogue_export.py).
Only published items are exported: the file is the catalogue in force, and importing it
publishes what it lists. Delegation townships are always written as names, never as 全部, so
a township added to the county later does not silently join an old record.
"""

import csv
import io
from pathlib import Path

from django.db.models import Prefetch

from cms.models import CountyHomePage
from portal.exports import append_xlsx_row, neutral_row
from portal.offices.models import Office
from services_catalog.models import Delegation, LifeEvent, ServiceItemPage, Synonym

from . import format as fmt
from .item_form import form_cell


def _join_values(values) -> str:
    return fmt.VALUE_SEPARATOR.join(values)


def _join_lines(values) -> str:
    return "\n".join(values)


def _item_row(item: ServiceItemPage) -> list:
    scope = ([fmt.APPLICANT_INDIVIDUALS] if item.for_individuals else []) + (
        list(fmt.APPLICANT_ORGANISATIONS) if item.for_organisations else []
    )
    return [
        item.item_code,
        item.title,
        fmt.word_for(fmt.ITEM_TYPES, item.item_type),
        item.department.name,
        _join_values(
            event.name for event in sorted(item.life_events.all(), key=lambda e: (e.sort_order, e.name))
        ),
        _join_values(scope),
        item.summary,
        _join_lines(fmt.split_lines(item.conditions)),
        _join_lines(basis.text for basis in item.legal_bases.all()),
        _join_lines(fmt.split_lines(item.steps)),
        _join_lines(
            fmt.SPECIAL_PROCEDURE_SEPARATOR.join(
                [procedure.name, str(procedure.working_days)]
                + ([procedure.legal_basis] if procedure.legal_basis else [])
            )
            for procedure in item.special_procedures.all()
        ),
        item.legal_limit_days,
        item.promised_limit_days,
        fmt.yes_no(item.is_immediate),
        item.fee,
        item.fee_basis,
        item.visits,
        fmt.yes_no(item.village_proxy),
        fmt.yes_no(item.online),
        item.offline_reason,
        fmt.yes_no(item.online_filing),
        item.delivery,
        fmt.yes_no(item.needs_second_approval),
        item.certificate_name,
        item.certificate_valid_months if item.certificate_valid_months is not None else "",
        item.consult_phone,
        item.complaint_phone,
        item.procedure_basis,
        form_cell(item),
    ]


def _material_rows(item: ServiceItemPage) -> list[list]:
    return [
        [
            item.item_code,
            order,
            material.name,
            fmt.word_for(fmt.MATERIAL_FORMS, material.form),
            material.copies,
            fmt.yes_no(material.required),
            fmt.yes_no(material.may_be_missing),
            material.notes,
        ]
        for order, material in enumerate(item.materials.all(), start=1)
    ]


def _delegation_row(delegation: Delegation) -> list:
    centres = sorted(delegation.centres.all(), key=lambda centre: centre.region.code)
    return [
        delegation.item.item_code,
        delegation.department.name,
        _join_values(centre.region.name for centre in centres),
        fmt.word_for(fmt.DELEGATION_MODES, delegation.mode),
        delegation.document_number,
        delegation.valid_from.isoformat(),
        delegation.valid_until.isoformat() if delegation.valid_until else "",
        delegation.revoked_on.isoformat() if delegation.revoked_on else "",
        delegation.revoked_reason,
    ]


def catalogue_rows(*, county_home: CountyHomePage) -> dict[str, list[list]]:
    """Every sheet as rows of cell values, the header first. Eight queries, whatever the size."""
    items = list(
        ServiceItemPage.objects.live()
        .descendant_of(county_home)
        .select_related("department")
        .prefetch_related(
            "materials",
            "legal_bases",
            "special_procedures",
            Prefetch("life_events", queryset=LifeEvent.objects.order_by("sort_order", "name")),
        )
        .order_by("item_code")
    )
    delegations = (
        Delegation.objects.filter(item__in=items)
        .select_related("item", "department")
        .prefetch_related(Prefetch("centres", queryset=Office.objects.select_related("region")))
        .order_by("item__item_code", "valid_from", "document_number", "pk")
    )
    sheets = {sheet: [[column.header for column in fmt.COLUMNS[sheet]]] for sheet in fmt.SHEETS}
    for item in items:
        sheets[fmt.ITEMS].append(_item_row(item))
        sheets[fmt.MATERIALS].extend(_material_rows(item))
    sheets[fmt.DELEGATIONS].extend(_delegation_row(delegation) for delegation in delegations)
    sheets[fmt.SYNONYMS].extend(
        [synonym.phrase, synonym.means] for synonym in Synonym.objects.order_by("phrase")
    )
    return sheets


def catalogue_export(*, county_home: CountyHomePage) -> bytes:
    """The county's catalogue as an XLSX workbook with the four sheets of the format."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for sheet, rows in catalogue_rows(county_home=county_home).items():
        worksheet = workbook.create_sheet(sheet)
        for row in rows:
            # Cells are written as the values themselves (numbers as numbers, text as text),
            # never as formulas: text a spreadsheet would evaluate is quoted (portal/exports.py)
            # and stored as text; the import takes the quote off again.
            append_xlsx_row(worksheet, row)
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for row in worksheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and "\n" in cell.value:
                    cell.alignment = wrap
        worksheet.freeze_panes = "A2"
        for column_cells in worksheet.columns:
            longest = max(
                (
                    max((len(line) for line in str(cell.value or "").splitlines()), default=0)
                    for cell in column_cells
                ),
                default=0,
            )
            # Chinese characters are about two columns wide.
            worksheet.column_dimensions[column_cells[0].column_letter].width = min(60, max(10, longest * 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def catalogue_export_to_folder(*, county_home: CountyHomePage, path: Path) -> list[Path]:
    """The county's catalogue as items.csv, materials.csv, delegations.csv and synonyms.csv
    (UTF-8, no byte-order mark) in the folder `path`, created if missing. Returns the files."""
    path.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet, rows in catalogue_rows(county_home=county_home).items():
        target = path / f"{sheet}.csv"
        with target.open("w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows(neutral_row(row) for row in rows)
        written.append(target)
    return written
