"""Check every row of a catalogue and turn it into records ready to write.

Nothing here writes. Every problem is collected, not just the first, because a county fixing
its spreadsheet wants the whole list in one go. Names in the file (departments, townships,
life events) are resolved against the county being imported into, with a fixed number of
queries whatever the file's size.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cms.models import CountyHomePage
from portal.offices.models import Office, OfficeKind
from portal.places.models import Region, RegionLevel
from services_catalog.item_codes import item_code_problem, item_code_slug
from services_catalog.item_forms.schema import DefinitionError
from services_catalog.models import (
    Delegation,
    ItemType,
    LegalBasis,
    LifeEvent,
    Material,
    ServiceItemPage,
    SpecialProcedure,
    Synonym,
    validate_no_catch_all,
)

from . import format as fmt
from .item_form import form_of_cell
from .models import ImportPhase
from .problems import Problem
from .reader import RawCatalogue

Progress = Callable[[int, int, str], None]

# The largest value a PositiveSmallIntegerField holds on every database we run on.
MAX_SMALL_INTEGER = 32767


@dataclass
class MaterialRecord:
    row: int
    item_code: str
    order: int | None
    name: str
    form: str | None
    copies: int | None
    required: bool | None
    may_be_missing: bool | None
    notes: str


@dataclass
class ItemRecord:
    """An item as the file gives it. `fields` maps ServiceItemPage field names to values."""

    row: int
    code: str
    department: Office | None
    fields: dict
    life_events: list[LifeEvent]
    legal_bases: list[str]
    special_procedures: list[tuple[str, int, str]]
    materials: list[MaterialRecord] = field(default_factory=list)
    # The canonical application form (item_form.py); {} when the item has none, None when the
    # file has no 申请表 column (a file made before it): the item keeps the form it has.
    form: dict | None = None


@dataclass
class DelegationRecord:
    row: int
    item_code: str
    document_number: str
    department: Office | None
    centres: list[Office]
    mode: str | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    revoked_on: datetime.date | None
    revoked_reason: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.item_code, self.document_number)


@dataclass
class SynonymRecord:
    row: int
    phrase: str
    means: str


@dataclass
class Catalogue:
    """The checked file. Only meaningful when checking found no problems."""

    items: dict[str, ItemRecord]
    delegations: list[DelegationRecord]
    synonyms: list[SynonymRecord]


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class _Row:
    """One data row and the problems found in it; each reader returns None when it fails."""

    def __init__(self, sheet: str, number: int, values: dict[str, str], problems: list[Problem]):
        self.sheet = sheet
        self.number = number
        self.values = values
        self.problems = problems
        self.required = {column.key for column in fmt.COLUMNS[sheet] if column.required}

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(sheet=self.sheet, row=self.number, column=column, message=message))

    def raw(self, key: str) -> str | None:
        """The cell's text, or None (with a problem) when a required cell is empty."""
        value = self.values.get(key, "")
        if not value and key in self.required:
            self.problem(key, _("A value is required."))
            return None
        return value

    def text(self, key: str, max_length: int | None = None) -> str:
        value = self.raw(key) or ""
        if max_length is not None and len(value) > max_length:
            self.problem(
                key,
                _("Too long: at most %(max)s characters, this has %(length)s.")
                % {"max": max_length, "length": len(value)},
            )
        return value

    def integer(self, key: str) -> int | None:
        value = self.raw(key)
        if not value:
            return None
        return self.parse_integer(key, value)

    def parse_integer(self, key: str, value: str) -> int | None:
        if not re.fullmatch(r"\d+", value) or int(value) > MAX_SMALL_INTEGER:
            self.problem(key, _("“%(value)s” is not a whole number from 0 to 32767.") % {"value": value})
            return None
        return int(value)

    def flag(self, key: str) -> bool | None:
        value = self.raw(key)
        if not value:
            return None
        word = value.lower()
        if word in fmt.YES_WORDS:
            return True
        if word in fmt.NO_WORDS:
            return False
        self.problem(key, _("“%(value)s” is not yes or no: write 是 or 否.") % {"value": value})
        return None

    def date(self, key: str) -> datetime.date | None:
        value = self.raw(key)
        if not value:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.problem(key, _("“%(value)s” is not a date written as YYYY-MM-DD.") % {"value": value})
            return None

    def choice(self, key: str, mapping: dict[str, str]) -> str | None:
        value = self.raw(key)
        if not value:
            return None
        if value not in mapping:
            self.problem(
                key,
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": value, "choices": "、".join(mapping)},
            )
            return None
        return mapping[value]


@dataclass
class _Places:
    """The county's names, loaded once: departments, townships and their centres."""

    county: Region
    departments: dict[str, Office]
    townships: dict[str, list[Region]]
    centres: dict[int, Office]
    life_events: dict[str, LifeEvent]

    @classmethod
    def load(cls, county: Region) -> "_Places":
        townships: dict[str, list[Region]] = defaultdict(list)
        for township in Region.objects.within(county).filter(level=RegionLevel.TOWNSHIP):
            townships[township.name].append(township)
        return cls(
            county=county,
            departments={
                office.name: office
                for office in Office.objects.filter(region=county, kind=OfficeKind.DEPARTMENT).select_related(
                    "region"
                )
            },
            townships=dict(townships),
            centres={
                office.region_id: office
                for office in Office.objects.within(county)
                .filter(kind=OfficeKind.CENTRE)
                .select_related("region")
            },
            life_events={event.name: event for event in LifeEvent.objects.all()},
        )

    def all_centres(self) -> list[Office]:
        """Every active centre of the county: what 全部 means on the day of the import."""
        return sorted((c for c in self.centres.values() if c.is_active), key=lambda c: c.region.code)


class _Checker:
    def __init__(self, raw: RawCatalogue, county_home: CountyHomePage, progress: Progress | None):
        self.raw = raw
        self.county_home = county_home
        self.places = _Places.load(county_home.region)
        self.problems: list[Problem] = list(raw.problems)
        self.progress = progress
        self.done = 0
        self.total = raw.row_count
        # Every code on the items sheet, even on rows with other problems, so that a typo in one
        # item's row is reported once and not again for each of its materials.
        self.item_rows: dict[str, int] = {}
        self.items: dict[str, ItemRecord] = {}
        # Codes that passed the item-code rule: only these are given an address.
        self.valid_codes: list[str] = []

    def rows(self, sheet: str):
        for number, values in self.raw.sheets[sheet].rows if sheet in self.raw.sheets else []:
            yield _Row(sheet, number, values, self.problems)
            self.done += 1
            if self.progress:
                self.progress(self.done, self.total, ImportPhase.CHECK)

    def run(self) -> tuple[Catalogue, list[Problem]]:
        if self.progress:
            self.progress(0, self.total, ImportPhase.CHECK)
        for row in self.rows(fmt.ITEMS):
            self.check_item(row)
        self.check_items_of_other_counties()
        self.check_item_addresses()
        for row in self.rows(fmt.MATERIALS):
            self.check_material(row)
        self.check_material_order()
        delegations = [self.check_delegation(row) for row in self.rows(fmt.DELEGATIONS)]
        self.check_delegation_keys(delegations)
        synonyms = [self.check_synonym(row) for row in self.rows(fmt.SYNONYMS)]
        self.check_synonym_phrases(synonyms)
        return Catalogue(items=self.items, delegations=delegations, synonyms=synonyms), self.problems

    # Items

    def check_item(self, row: _Row) -> None:
        page_length = lambda name: _max_length(ServiceItemPage, name)  # noqa: E731
        code = row.text("item_code", page_length("item_code"))
        item_type = row.choice("item_type", fmt.ITEM_TYPES)
        if code in self.item_rows:
            row.problem(
                "item_code",
                _("The item code “%(code)s” is already on row %(row)s.")
                % {"code": code, "row": self.item_rows[code]},
            )
            return
        if code:
            self.item_rows[code] = row.number
            problem = item_code_problem(code, county_code=self.places.county.code, item_type=item_type)
            if problem:
                row.problem("item_code", problem)
            else:
                self.valid_codes.append(code)

        department = self.department(row)

        life_events = []
        for name in fmt.split_values(row.raw("life_events") or ""):
            event = self.places.life_events.get(name)
            if event is None:
                row.problem(
                    "life_events",
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {"value": name, "choices": "、".join(self.places.life_events)},
                )
            elif event not in life_events:
                life_events.append(event)

        for_individuals = for_organisations = False
        for word in fmt.split_values(row.raw("applicant_scope") or ""):
            if word == fmt.APPLICANT_INDIVIDUALS:
                for_individuals = True
            elif word in fmt.APPLICANT_ORGANISATIONS:
                for_organisations = True
            else:
                row.problem(
                    "applicant_scope",
                    _("“%(value)s” is not one of: %(choices)s.")
                    % {
                        "value": word,
                        "choices": "、".join((fmt.APPLICANT_INDIVIDUALS, *fmt.APPLICANT_ORGANISATIONS)),
                    },
                )

        conditions = "\n".join(fmt.split_lines(row.raw("conditions") or ""))
        try:
            validate_no_catch_all(conditions)
        except ValidationError as error:
            row.problem("conditions", " ".join(error.messages))

        legal_bases = fmt.split_lines(row.raw("legal_basis") or "")
        basis_length = _max_length(LegalBasis, "text")
        for text in legal_bases:
            if len(text) > basis_length:
                row.problem(
                    "legal_basis",
                    _("Too long: at most %(max)s characters, this has %(length)s.")
                    % {"max": basis_length, "length": len(text)},
                )

        legal_limit = row.integer("legal_limit_days")
        promised_limit = row.integer("promised_limit_days")
        if legal_limit is not None and promised_limit is not None and promised_limit > legal_limit:
            row.problem(
                "promised_limit_days",
                _(
                    "The promised time limit (%(promised)s working days) is longer than the legal one (%(legal)s)."
                )
                % {"promised": promised_limit, "legal": legal_limit},
            )

        self.items[code] = ItemRecord(
            row=row.number,
            form=self.application_form(row),
            code=code,
            department=department,
            life_events=life_events,
            legal_bases=legal_bases,
            special_procedures=self.special_procedures(row),
            fields={
                "title": row.text("name", page_length("title")),
                "item_type": item_type,
                "summary": row.text("summary", page_length("summary")),
                "for_individuals": for_individuals,
                "for_organisations": for_organisations,
                "conditions": conditions,
                "steps": "\n".join(fmt.split_lines(row.raw("steps") or "")),
                "legal_limit_days": legal_limit,
                "promised_limit_days": promised_limit,
                "is_immediate": row.flag("immediate"),
                "fee": row.text("fee", page_length("fee")),
                "fee_basis": row.text("fee_basis", page_length("fee_basis")),
                "visits": row.integer("visits"),
                "village_proxy": row.flag("village_proxy"),
                "online": row.flag("online"),
                "online_filing": self.online_filing(row),
                "offline_reason": row.text("offline_reason", page_length("offline_reason")),
                "delivery": row.text("delivery", page_length("delivery")),
                "needs_second_approval": row.flag("second_level_approval"),
                "certificate_name": row.text("certificate", page_length("certificate_name")),
                "certificate_valid_months": row.integer("certificate_valid_months"),
                "consult_phone": row.text("consult_phone", page_length("consult_phone")),
                "complaint_phone": row.text("complaint_phone", page_length("complaint_phone")),
                "procedure_basis": self.procedure_basis(row),
            },
        )

    def application_form(self, row: _Row) -> dict | None:
        """The 申请表 cell's definition; each thing wrong with it is a problem of this row."""
        if "application_form" not in self.raw.sheets[fmt.ITEMS].columns:
            return None
        try:
            return form_of_cell(row.text("application_form"))
        except DefinitionError as error:
            for message in error.problems:
                row.problem(
                    "application_form",
                    _("Application form (申请表): %(problem)s") % {"problem": message},
                )
            return {}

    def online_filing(self, row: _Row) -> bool:
        """可网上申请 (optional column, empty is 否): the village assistant checks what the
        villager hands in, so the item must be both 网上可办 and 村级代办."""
        allowed = bool(row.flag("online_filing"))
        # Read the words, not row.flag: a bad word in those columns is reported once, by them.
        both = all((row.raw(key) or "").lower() in fmt.YES_WORDS for key in ("online", "village_proxy"))
        if allowed and not both:
            row.problem(
                "online_filing",
                _(
                    "Villagers may apply online (可网上申请) only for an item that is 网上可办 and "
                    "村级代办: write 否 here, or 是 in both."
                ),
            )
        return allowed

    def procedure_basis(self, row: _Row) -> str:
        """The law the item's papers cite (optional column); 行政许可法 only for a licence."""
        text = row.text("procedure_basis", _max_length(ServiceItemPage, "procedure_basis"))
        licence = fmt.ITEM_TYPES.get(row.values.get("item_type", "")) == ItemType.LICENSING
        if text and "行政许可法" in text and not licence:
            row.problem(
                "procedure_basis",
                _(
                    "Only a licence (行政许可) acts under the Administrative Licensing Law: cite this item's own law."
                ),
            )
        return text

    def special_procedures(self, row: _Row) -> list[tuple[str, int, str]]:
        """`名称|工作日|依据`, one per line; the basis may be left out."""
        procedures = []
        name_length = _max_length(SpecialProcedure, "name")
        basis_length = _max_length(SpecialProcedure, "legal_basis")
        for line_number, line in enumerate(fmt.split_lines(row.raw("special_procedures") or ""), start=1):
            parts = [part.strip() for part in line.split(fmt.SPECIAL_PROCEDURE_SEPARATOR, 2)]
            if len(parts) < 2 or not parts[0]:
                row.problem(
                    "special_procedures",
                    _("Line %(line)s, “%(text)s”: write each special procedure as 名称|工作日|依据.")
                    % {"line": line_number, "text": line},
                )
                continue
            name, days_text, basis = parts[0], parts[1], parts[2] if len(parts) == 3 else ""
            if not re.fullmatch(r"\d+", days_text) or int(days_text) > MAX_SMALL_INTEGER:
                row.problem(
                    "special_procedures",
                    _("Line %(line)s: “%(value)s” is not a whole number of working days.")
                    % {"line": line_number, "value": days_text},
                )
                continue
            if len(name) > name_length or len(basis) > basis_length:
                row.problem(
                    "special_procedures",
                    _("Line %(line)s: the name may have %(name_max)s characters and the basis %(basis_max)s.")
                    % {"line": line_number, "name_max": name_length, "basis_max": basis_length},
                )
                continue
            procedures.append((name, int(days_text), basis))
        return procedures

    def check_items_of_other_counties(self) -> None:
        """Item codes are unique across the whole site: one county cannot take over another's."""
        taken = (
            ServiceItemPage.objects.filter(item_code__in=self.item_rows)
            .exclude(path__startswith=self.county_home.path)
            .values_list("item_code", "title")
        )
        for code, title in taken:
            self.problems.append(
                Problem(
                    sheet=fmt.ITEMS,
                    row=self.item_rows[code],
                    column="item_code",
                    message=_("The item code “%(code)s” belongs to “%(title)s” of another county.")
                    % {"code": code, "title": title},
                )
            )

    def check_item_addresses(self) -> None:
        """An item's address is its code in lower case: refuse a row whose address another
        item of the guide holds (a page made by hand, or an item stored under another code),
        instead of publishing the item at a second address (120115-xk-002-2)."""
        if not self.valid_codes:
            return
        wanted = {item_code_slug(code): code for code in self.valid_codes}
        # One query: the items two levels below the county home are its guide's children.
        holders = ServiceItemPage.objects.filter(
            path__startswith=self.county_home.path, depth=self.county_home.depth + 2, slug__in=wanted
        ).values_list("slug", "item_code", "title")
        for slug, holder_code, title in holders:
            code = wanted[slug]
            if holder_code != code:
                self.problems.append(
                    Problem(
                        sheet=fmt.ITEMS,
                        row=self.item_rows[code],
                        column="item_code",
                        message=_(
                            "The address %(address)s of “%(code)s” is held by the page “%(title)s” (item code "
                            "“%(holder)s”): correct or delete that page in the back office first."
                        )
                        % {
                            "address": f"/guide/{slug}/",
                            "code": code,
                            "title": title,
                            "holder": holder_code,
                        },
                    )
                )

    # Materials

    def check_material(self, row: _Row) -> None:
        code = row.text("item_code")
        material = MaterialRecord(
            row=row.number,
            item_code=code,
            order=row.integer("order"),
            name=row.text("name", _max_length(Material, "name")),
            form=row.choice("form", fmt.MATERIAL_FORMS),
            copies=row.integer("copies"),
            required=row.flag("required"),
            may_be_missing=row.flag("may_be_missing"),
            notes=row.text("notes", _max_length(Material, "notes")),
        )
        if code and self.known_item(row, code):
            item = self.items.get(code)
            if item is not None:
                item.materials.append(material)

    def check_material_order(self) -> None:
        for item in self.items.values():
            first_row: dict[int, int] = {}
            for material in item.materials:
                if material.order is None:
                    continue
                if material.order in first_row:
                    self.problems.append(
                        Problem(
                            sheet=fmt.MATERIALS,
                            row=material.row,
                            column="order",
                            message=_(
                                "Item “%(code)s” already has a material number %(order)s, on row %(row)s."
                            )
                            % {"code": item.code, "order": material.order, "row": first_row[material.order]},
                        )
                    )
                else:
                    first_row[material.order] = material.row
            item.materials.sort(key=lambda material: (material.order or 0, material.row))

    def known_item(self, row: _Row, code: str) -> bool:
        if code in self.item_rows:
            return True
        row.problem(
            "item_code", _("No item with the code “%(code)s” is on the items sheet.") % {"code": code}
        )
        return False

    def department(self, row: _Row):
        """The county department a row names, or None (with a problem if it names an unknown one)."""
        name = row.raw("department")
        if not name:
            return None
        department = self.places.departments.get(name)
        if department is None:
            row.problem(
                "department",
                _("%(county)s has no county department named “%(name)s”.")
                % {"county": self.places.county.name, "name": name},
            )
        return department

    # Delegations

    def check_delegation(self, row: _Row) -> DelegationRecord:
        code = row.text("item_code")
        item = self.items.get(code) if code and self.known_item(row, code) else None

        department = self.department(row)
        if department is not None and item is not None and item.department not in (None, department):
            row.problem(
                "department",
                _("Only the item's holding department (%(department)s) can delegate it.")
                % {"department": item.department.name},
            )

        valid_from = row.date("valid_from")
        valid_until = row.date("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            row.problem(
                "valid_until",
                _("The end date %(until)s is before the start date %(from)s.")
                % {"until": valid_until.isoformat(), "from": valid_from.isoformat()},
            )
        revoked_on = row.date("revoked_on")
        revoked_reason = row.text("revoked_reason", _max_length(Delegation, "revoked_reason"))
        if revoked_on and not revoked_reason:
            row.problem("revoked_reason", _("Give the reason for revoking it."))

        return DelegationRecord(
            row=row.number,
            item_code=code,
            document_number=row.text("document_number", _max_length(Delegation, "document_number")),
            department=department,
            centres=self.centres(row),
            mode=row.choice("mode", fmt.DELEGATION_MODES),
            valid_from=valid_from,
            valid_until=valid_until,
            revoked_on=revoked_on,
            revoked_reason=revoked_reason,
        )

    def centres(self, row: _Row) -> list[Office]:
        names = fmt.split_values(row.raw("townships") or "")
        county = self.places.county.name
        if fmt.ALL_TOWNSHIPS in names:
            if len(names) > 1:
                row.problem("townships", _("Write either 全部 or township names, not both."))
            centres = self.places.all_centres()
            if not centres:
                row.problem(
                    "townships", _("%(county)s has no township service centres yet.") % {"county": county}
                )
            return centres
        centres: list[Office] = []
        for name in names:
            townships = self.places.townships.get(name, [])
            if not townships:
                row.problem(
                    "townships",
                    _("%(county)s has no township named “%(name)s”.") % {"county": county, "name": name},
                )
            elif len(townships) > 1:
                row.problem(
                    "townships",
                    _("%(county)s has several townships named “%(name)s”.")
                    % {"county": county, "name": name},
                )
            elif townships[0].pk not in self.places.centres:
                row.problem("townships", _("The township “%(name)s” has no service centre.") % {"name": name})
            else:
                centre = self.places.centres[townships[0].pk]
                if centre not in centres:
                    centres.append(centre)
        return centres

    def check_delegation_keys(self, delegations: list[DelegationRecord]) -> None:
        """A record is found again by (item code, document number): each must be unambiguous."""
        first_row: dict[tuple[str, str], int] = {}
        for record in delegations:
            if not (record.item_code and record.document_number):
                continue
            if record.key in first_row:
                self.problems.append(
                    Problem(
                        sheet=fmt.DELEGATIONS,
                        row=record.row,
                        column="document_number",
                        message=_(
                            "Item “%(code)s” already has a delegation under this document, on row %(row)s."
                        )
                        % {"code": record.item_code, "row": first_row[record.key]},
                    )
                )
            else:
                first_row[record.key] = record.row
        stored = defaultdict(int)
        for key in Delegation.objects.filter(item__item_code__in=self.item_rows).values_list(
            "item__item_code", "document_number"
        ):
            stored[key] += 1
        for key, row_number in first_row.items():
            if stored[key] > 1:
                self.problems.append(
                    Problem(
                        sheet=fmt.DELEGATIONS,
                        row=row_number,
                        column="document_number",
                        message=_(
                            "%(count)s stored delegation records of item “%(code)s” cite this document, so the row "
                            "cannot tell which one to update: correct them in the back office first."
                        )
                        % {"count": stored[key], "code": key[0]},
                    )
                )

    # Synonyms

    def check_synonym(self, row: _Row) -> SynonymRecord:
        return SynonymRecord(
            row=row.number,
            phrase=row.text("phrase", _max_length(Synonym, "phrase")),
            means=row.text("means", _max_length(Synonym, "means")),
        )

    def check_synonym_phrases(self, synonyms: list[SynonymRecord]) -> None:
        first_row: dict[str, int] = {}
        for record in synonyms:
            if not record.phrase:
                continue
            if record.phrase in first_row:
                self.problems.append(
                    Problem(
                        sheet=fmt.SYNONYMS,
                        row=record.row,
                        column="phrase",
                        message=_("The phrase “%(phrase)s” is already on row %(row)s.")
                        % {"phrase": record.phrase, "row": first_row[record.phrase]},
                    )
                )
            else:
                first_row[record.phrase] = record.row


def catalogue_check(
    raw: RawCatalogue, *, county_home: CountyHomePage, progress: Progress | None = None
) -> tuple[Catalogue, list[Problem]]:
    """Check a read catalogue against the county. Reads only; about ten queries in all."""
    return _Checker(raw, county_home, progress).run()
