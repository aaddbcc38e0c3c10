"""Import a county's catalogue (事项清单) from a spreadsheet.

`catalogue_import` is the one way a catalogue file changes the site. It reads and checks every
row first (no writes), and only a file without a single problem is written, in one transaction,
so a county never ends up with half a catalogue. Items are found again by item code,
delegation records by (item code, document number), synonyms by phrase; whatever already
matches the file is left alone, so importing the same file twice creates no revision, touches
no row and leaves every "last published" date as it was.
"""

from dataclasses import asdict, dataclass, field
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from cms.models import CountyHomePage
from portal.errors import DomainError, NotPermitted, required
from portal.people.jurisdiction import regions_managed_by, user_is_county_administrator
from services_catalog.item_codes import item_code_slug
from services_catalog.models import (
    Delegation,
    LegalBasis,
    Material,
    ServiceGuideIndexPage,
    ServiceItemPage,
    SpecialProcedure,
    Synonym,
)
from services_catalog.search.services import search_index_deferred
from services_catalog.services import delegation_save

from .. import format as fmt
from ..checks import (
    Catalogue,
    DelegationRecord,
    ItemRecord,
    MaterialRecord,
    Progress,
    SynonymRecord,
    catalogue_check,
)
from ..item_form import form_field_count, form_of_page, form_streams
from ..models import ImportPhase
from ..problems import Problem, problem_sort_key
from ..reader import Source, catalogue_read

IMPORT_LOG_ACTION = "cunban.catalogue.import"
GUIDE_TITLE = "办事指南"
GUIDE_SLUG = "guide"


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Materials only: rows an item had and the file no longer lists.
    deleted: int = 0


class ChangeKind:
    """What an import does to one record of the file (or to one line of an item)."""

    ADDED = "added"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REMOVED = "removed"


@dataclass
class FieldChange:
    """One field of a record, before and after, as the file's words show it."""

    field: str
    old: str
    new: str


@dataclass
class RecordChange:
    """One record of the file and what an import does to it: the dry run's listing per item."""

    sheet: str
    key: str
    title: str
    kind: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do), and the problems that stopped it."""

    dry_run: bool
    counts: dict[str, SheetCounts] = field(
        default_factory=lambda: {sheet: SheetCounts() for sheet in fmt.SHEETS}
    )
    problems: list[Problem] = field(default_factory=list)
    guide_created: bool = False
    changes: list[RecordChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def as_dict(self) -> dict:
        """The report as JSON-ready data (stored on an ImportRun). Problems are stored beside it."""
        return {
            "dry_run": self.dry_run,
            "guide_created": self.guide_created,
            "counts": {sheet: asdict(counts) for sheet, counts in self.counts.items()},
            "changes": [asdict(change) for change in self.changes],
        }

    def changes_listing(self) -> list[str]:
        """The changes as text lines, one per record and one per changed field (for a command)."""
        lines = []
        for change in self.changes:
            lines.append(f"{_KIND_WORDS[change.kind]()} {change.sheet} {change.key} {change.title}".rstrip())
            lines.extend(f"    {f.field}: {f.old or '—'} → {f.new or '—'}" for f in change.fields)
        return lines


def catalogue_import_check_permission(*, actor, county_home: CountyHomePage) -> None:
    """`actor` None is the system (a management command); a person must administer this county."""
    if actor is None:
        return
    if (
        not user_is_county_administrator(actor)
        or not regions_managed_by(actor).filter(pk=county_home.region_id).exists()
    ):
        raise NotPermitted(
            _("Only an administrator of %(county)s may import its catalogue.") % {"county": county_home.title}
        )


def catalogue_import(
    *,
    actor,
    source: Source,
    county_home: CountyHomePage,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check a catalogue file and, if it has no problem at all, write it into the county.

    `source` is a path (an .xlsx file or a folder of CSV files), the bytes of a workbook or a
    binary file. `progress(done, total, phase)` is called as rows are checked (`ImportPhase.CHECK`,
    outside any transaction) and as records are written (`ImportPhase.WRITE`): once with 0
    before the write transaction opens, then inside it, and once more with `total` after it
    commits. A caller that stores progress in the database must skip the calls made inside the
    transaction (see `_ProgressRecorder`), or they would vanish with a rollback.

    Raises NotPermitted unless `actor` is None or an administrator of this county. A file with
    problems is never partly written: the report lists every problem and counts nothing.
    """
    catalogue_import_check_permission(actor=actor, county_home=county_home)
    catalogue, problems = catalogue_check(catalogue_read(source), county_home=county_home, progress=progress)
    if problems:
        return ImportReport(dry_run=dry_run, problems=sorted(problems, key=problem_sort_key))
    if dry_run:
        plan = _plan(catalogue)
        guide_exists = ServiceGuideIndexPage.objects.child_of(county_home).exists()
        return ImportReport(
            dry_run=True, counts=plan.counts, guide_created=not guide_exists, changes=plan.listing
        )

    total = len(catalogue.items) + len(catalogue.delegations) + len(catalogue.synonyms)
    if progress:
        progress(0, total, ImportPhase.WRITE)
    try:
        with transaction.atomic():
            # Two imports into one county wait for each other instead of interleaving; the plan
            # is made after the lock, so it compares against what the other import wrote.
            home = CountyHomePage.objects.select_for_update().get(pk=county_home.pk)
            plan = _plan(catalogue)
            guide, guide_created = _guide_get_or_create(home, actor)
            _write(plan, guide=guide, actor=actor, progress=progress, total=total)
            report = ImportReport(
                dry_run=False, counts=plan.counts, guide_created=guide_created, changes=plan.listing
            )
            if plan.changes_anything or guide_created:
                log(instance=home, action=IMPORT_LOG_ACTION, user=actor, data=report.as_dict())
    except _WriteRefused as refused:
        return ImportReport(dry_run=False, problems=[refused.problem])
    if progress:
        progress(total, total, ImportPhase.WRITE)
    return report


# Comparing: the file's records against what is stored.

# The scalar fields an items row sets, in the order of the format.
ITEM_FIELDS = (
    "title",
    "item_type",
    "summary",
    "for_individuals",
    "for_organisations",
    "conditions",
    "steps",
    "legal_limit_days",
    "promised_limit_days",
    "is_immediate",
    "fee",
    "fee_basis",
    "visits",
    "village_proxy",
    "online",
    "offline_reason",
    "online_filing",
    "delivery",
    "needs_second_approval",
    "certificate_name",
    "certificate_valid_months",
    "consult_phone",
    "complaint_phone",
    "procedure_basis",
)
ITEM_TEXT_FIELDS = (
    "title",
    "summary",
    "fee",
    "fee_basis",
    "offline_reason",
    "delivery",
    "certificate_name",
    "consult_phone",
    "complaint_phone",
    "procedure_basis",
)
ITEM_LINE_FIELDS = ("conditions", "steps")


def _item_state_of_page(page: ServiceItemPage) -> dict:
    """The stored item in the same canonical shape as `_item_state_of_record`.

    Text is compared stripped and line fields line by line, so a trailing space an editor
    left in the back office does not make every import rewrite the item."""
    state = {name: getattr(page, name) for name in ITEM_FIELDS}
    for name in ITEM_TEXT_FIELDS:
        state[name] = (state[name] or "").strip()
    for name in ITEM_LINE_FIELDS:
        state[name] = "\n".join(fmt.split_lines(state[name] or ""))
    state.update(
        department_id=page.department_id,
        life_events=sorted(event.pk for event in page.life_events.all()),
        legal_bases=[basis.text.strip() for basis in page.legal_bases.all()],
        special_procedures=[
            (procedure.name.strip(), procedure.working_days, procedure.legal_basis.strip())
            for procedure in page.special_procedures.all()
        ],
        materials=[_material_state_of_row(material) for material in page.materials.all()],
        application_form=form_of_page(page),
        live=page.live,
    )
    return state


def _item_state_of_record(record: ItemRecord) -> dict:
    return {
        **record.fields,
        "department_id": required(record.department, "department").pk,
        "life_events": sorted(event.pk for event in record.life_events),
        "legal_bases": record.legal_bases,
        "special_procedures": record.special_procedures,
        "materials": [_material_state_of_record(material) for material in record.materials],
        # None: the file has no 申请表 column, so the form is not the file's to change.
        "application_form": record.form,
        # The file lists items in force: an unpublished item in it is published.
        "live": True,
    }


def _material_state_of_row(material: Material) -> tuple:
    return (
        material.name.strip(),
        material.form,
        material.copies,
        material.required,
        material.may_be_missing,
        material.notes.strip(),
    )


def _material_state_of_record(material: MaterialRecord) -> tuple:
    return (
        material.name,
        material.form,
        material.copies,
        material.required,
        material.may_be_missing,
        material.notes,
    )


def _delegation_state_of_row(delegation: Delegation) -> dict:
    return {
        "department_id": delegation.department_id,
        "mode": delegation.mode,
        "valid_from": delegation.valid_from,
        "valid_until": delegation.valid_until,
        "revoked_on": delegation.revoked_on,
        "revoked_reason": delegation.revoked_reason.strip(),
        "centres": sorted(centre.pk for centre in delegation.centres.all()),
    }


def _delegation_state_of_record(record: DelegationRecord) -> dict:
    return {
        "department_id": required(record.department, "department").pk,
        "mode": record.mode,
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "revoked_on": record.revoked_on,
        "revoked_reason": record.revoked_reason,
        "centres": sorted(centre.pk for centre in record.centres),
    }


_Record = TypeVar("_Record")
_Stored = TypeVar("_Stored")


@dataclass
class _Change(Generic[_Record, _Stored]):
    """One record of the file, the stored object it matches (None: new), and whether they differ."""

    record: _Record
    stored: _Stored | None
    changed: bool


@dataclass
class _Plan:
    items: list[_Change[ItemRecord, ServiceItemPage]]
    delegations: list[_Change[DelegationRecord, Delegation]]
    synonyms: list[_Change[SynonymRecord, Synonym]]
    counts: dict[str, SheetCounts]
    listing: list[RecordChange] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return any(
            change.changed for changes in (self.items, self.delegations, self.synonyms) for change in changes
        )


def _count(counts: SheetCounts, stored, changed: bool) -> None:
    if stored is None:
        counts.created += 1
    elif changed:
        counts.updated += 1
    else:
        counts.unchanged += 1


def _plan(catalogue: Catalogue) -> _Plan:
    """Match every record with what is stored and decide what must change. Reads only."""
    counts = {sheet: SheetCounts() for sheet in fmt.SHEETS}
    pages = {
        page.item_code: page
        for page in ServiceItemPage.objects.filter(item_code__in=catalogue.items).prefetch_related(
            "materials", "legal_bases", "special_procedures", "life_events"
        )
    }
    items: list[_Change[ItemRecord, ServiceItemPage]] = []
    listing: list[RecordChange] = []
    for code, record in catalogue.items.items():
        page = pages.get(code)
        wanted = _item_state_of_record(record)
        stored = _item_state_of_page(page) if page is not None else None
        if record.form is None:
            wanted["application_form"] = stored["application_form"] if stored else {}
        changed = stored != wanted
        items.append(_Change(record=record, stored=page, changed=changed))
        listing.append(_item_listing(record, stored, wanted))
        _count(counts[fmt.ITEMS], page, changed)
        _count_materials(counts[fmt.MATERIALS], stored["materials"] if stored else [], wanted["materials"])

    stored_delegations = {
        (delegation.item.item_code, delegation.document_number): delegation
        for delegation in Delegation.objects.filter(item__item_code__in=catalogue.items)
        .select_related("item")
        .prefetch_related("centres")
    }
    delegations: list[_Change[DelegationRecord, Delegation]] = []
    for delegation_record in catalogue.delegations:
        delegation = stored_delegations.get(delegation_record.key)
        changed = delegation is None or _delegation_state_of_row(delegation) != _delegation_state_of_record(
            delegation_record
        )
        delegations.append(_Change(record=delegation_record, stored=delegation, changed=changed))
        listing.append(
            _listing(
                fmt.DELEGATIONS,
                f"{delegation_record.item_code} {delegation_record.document_number}",
                "",
                _delegation_words(_delegation_state_of_row(delegation)) if delegation is not None else None,
                _delegation_words(_delegation_state_of_record(delegation_record)),
            )
        )
        _count(counts[fmt.DELEGATIONS], delegation, changed)

    stored_synonyms = Synonym.objects.in_bulk(
        [record.phrase for record in catalogue.synonyms], field_name="phrase"
    )
    synonyms: list[_Change[SynonymRecord, Synonym]] = []
    for synonym_record in catalogue.synonyms:
        synonym = stored_synonyms.get(synonym_record.phrase)
        changed = synonym is None or synonym.means.strip() != synonym_record.means
        synonyms.append(_Change(record=synonym_record, stored=synonym, changed=changed))
        _count(counts[fmt.SYNONYMS], synonym, changed)
        listing.append(
            _listing(
                fmt.SYNONYMS,
                synonym_record.phrase,
                "",
                {"means": synonym.means.strip()} if synonym is not None else None,
                {"means": synonym_record.means},
            )
        )
    return _Plan(items=items, delegations=delegations, synonyms=synonyms, counts=counts, listing=listing)


# Listing: what changes, in the file's column words, old → new.

_KIND_WORDS = {
    ChangeKind.ADDED: lambda: _("added"),
    ChangeKind.CHANGED: lambda: _("changed"),
    ChangeKind.UNCHANGED: lambda: _("unchanged"),
    ChangeKind.REMOVED: lambda: _("removed"),
}
# The file's column key for a stored field, where the two differ.
_COLUMN_OF_FIELD = {
    "title": "name",
    "is_immediate": "immediate",
    "needs_second_approval": "second_level_approval",
    "certificate_name": "certificate",
    "department_id": "department",
    "legal_bases": "legal_basis",
}


def _word(value) -> str:
    """A stored value as the file writes it: 是/否, lines joined, numbers as digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return fmt.yes_no(value)
    if isinstance(value, (list, tuple)):
        return fmt.VALUE_SEPARATOR.join(_word(part) for part in value)
    return str(value)


def _listing(sheet: str, key: str, title: str, old: dict | None, new: dict) -> RecordChange:
    if old is None:
        return RecordChange(sheet=sheet, key=key, title=title, kind=ChangeKind.ADDED)
    fields = [
        FieldChange(field=_COLUMN_OF_FIELD.get(name, name), old=_word(old.get(name)), new=_word(value))
        for name, value in new.items()
        if old.get(name) != value
    ]
    kind = ChangeKind.CHANGED if fields else ChangeKind.UNCHANGED
    return RecordChange(sheet=sheet, key=key, title=title, kind=kind, fields=fields)


def _item_listing(record: ItemRecord, stored: dict | None, wanted: dict) -> RecordChange:
    """An item's fields old → new; its materials line by line (added, changed, removed)."""
    title = record.fields.get("title") or ""
    if stored is None:
        return RecordChange(sheet=fmt.ITEMS, key=record.code, title=title, kind=ChangeKind.ADDED)
    names = {"department_id": required(record.department, "department").name}
    apart = ("materials", "department_id", "application_form")
    plain = {name: value for name, value in wanted.items() if name not in apart}
    change = _listing(
        fmt.ITEMS, record.code, title, {k: v for k, v in stored.items() if k not in apart}, plain
    )
    if stored["department_id"] != wanted["department_id"]:
        change.fields.append(FieldChange(field="department", old="", new=names["department_id"]))
    if stored["application_form"] != wanted["application_form"]:
        change.fields.append(_form_change(stored["application_form"], wanted["application_form"]))
    old_materials, new_materials = stored["materials"], wanted["materials"]
    for index in range(max(len(old_materials), len(new_materials))):
        old = old_materials[index] if index < len(old_materials) else None
        new = new_materials[index] if index < len(new_materials) else None
        if old != new:
            change.fields.append(
                FieldChange(
                    field=f"{fmt.MATERIALS} {index + 1}",
                    old=_material_words(old),
                    new=_material_words(new),
                )
            )
    if change.fields:
        change.kind = ChangeKind.CHANGED
    return change


def _form_change(old: dict, new: dict) -> FieldChange:
    """A changed form is named, not spelled out: its JSON would bury the rest of the listing."""
    count = form_field_count
    return FieldChange(
        field="application_form",
        old=_("%(count)s fields") % {"count": count(old)} if old else "",
        new=(
            _("application form changed (%(count)s fields)") % {"count": count(new)}
            if new
            else _("application form removed")
        ),
    )


def _material_words(state: tuple | None) -> str:
    if state is None:
        return ""
    name, form, copies, required_, may_be_missing, notes = state
    parts = [name, fmt.word_for(fmt.MATERIAL_FORMS, form), str(copies), fmt.yes_no(required_)]
    if may_be_missing:
        parts.append("容缺")
    if notes:
        parts.append(notes)
    return "，".join(parts)


def _delegation_words(state: dict) -> dict:
    """A delegation's state with the mode in the file's word and centres counted."""
    return {
        **state,
        "mode": fmt.word_for(fmt.DELEGATION_MODES, state["mode"]) if state["mode"] else "",
        "centres": len(state["centres"]),
    }


def _count_materials(counts: SheetCounts, stored: list[tuple], wanted: list[tuple]) -> None:
    """Materials have no key of their own: row n of an item is compared with its stored row n."""
    for index, material in enumerate(wanted):
        if index >= len(stored):
            counts.created += 1
        elif stored[index] == material:
            counts.unchanged += 1
        else:
            counts.updated += 1
    counts.deleted += max(0, len(stored) - len(wanted))


# Writing: inside the import's transaction only.


class _WriteRefused(Exception):
    """A model refused a record that the checks let through; the whole import rolls back."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _refused(sheet: str, row: int | None, error: Exception) -> _WriteRefused:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            message = " ".join(
                f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
            )
        else:
            message = " ".join(error.messages)
    else:
        message = str(error)
    return _WriteRefused(Problem(sheet=sheet, row=row, column="", message=message))


def _guide_get_or_create(home: CountyHomePage, actor) -> tuple[ServiceGuideIndexPage, bool]:
    guide = ServiceGuideIndexPage.objects.child_of(home).first()
    if guide is not None:
        return guide, False
    guide = ServiceGuideIndexPage(title=GUIDE_TITLE, slug=GUIDE_SLUG, live=False, owner=actor)
    try:
        home.add_child(instance=guide)
    except ValidationError as error:
        raise _refused("", None, error) from error
    # The importer's own permission check stands for Wagtail's page publishing permission.
    guide.save_revision(user=actor, log_action=True).publish(user=actor, skip_permission_checks=True)
    return guide, True


def _write(
    plan: _Plan, *, guide: ServiceGuideIndexPage, actor, progress: Progress | None, total: int
) -> None:
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, ImportPhase.WRITE)

    # Each published item and saved synonym would refresh the search index on its own; an
    # import does it once, at the end.
    pages: dict[str, ServiceItemPage] = {}
    with search_index_deferred():
        for change in plan.items:
            stored = change.stored
            pages[change.record.code] = (
                _item_save(change, guide=guide, actor=actor) if change.changed or stored is None else stored
            )
            step()
        for delegation_change in plan.delegations:
            if delegation_change.changed:
                _delegation_save(
                    delegation_change, item=pages[delegation_change.record.item_code], actor=actor
                )
            step()
        for synonym_change in plan.synonyms:
            if synonym_change.changed:
                _synonym_save(synonym_change, actor=actor)
            step()


def _item_save(
    change: _Change[ItemRecord, ServiceItemPage], *, guide: ServiceGuideIndexPage, actor
) -> ServiceItemPage:
    """Create or update the item page, replace its inline rows, and publish a revision."""
    record = change.record
    page = change.stored
    is_new = page is None
    if page is None:
        page = ServiceItemPage(
            # The checks refused a code another page's address holds: the address is the code's.
            item_code=record.code,
            slug=item_code_slug(record.code),
            live=False,
            owner=actor,
        )
    # Attached documents (blank form, filled sample) are not in the file: a material keeps
    # the ones it had when a row with the same name is still there.
    attachments = (
        {}
        if is_new
        else {
            material.name: (material.blank_form_id, material.sample_id)
            for material in reversed(page.materials.all())
        }
    )
    for name, value in record.fields.items():
        setattr(page, name, value)
    # Publishing below makes a new form version only if the form differs from the last one.
    if record.form is not None:
        page.application_form, page.certificate_layout = form_streams(record.form)
    page.department = record.department
    page.life_events = record.life_events
    page.legal_bases = [
        LegalBasis(text=text, sort_order=index) for index, text in enumerate(record.legal_bases)
    ]
    page.special_procedures = [
        SpecialProcedure(name=name, working_days=days, legal_basis=basis, sort_order=index)
        for index, (name, days, basis) in enumerate(record.special_procedures)
    ]
    page.materials = [
        Material(
            name=material.name,
            form=material.form,
            copies=material.copies,
            required=material.required,
            may_be_missing=material.may_be_missing,
            notes=material.notes,
            blank_form_id=attachments.get(material.name, (None, None))[0],
            sample_id=attachments.get(material.name, (None, None))[1],
            sort_order=index,
        )
        for index, material in enumerate(record.materials)
    ]
    try:
        if is_new:
            guide.add_child(instance=page)
        revision = page.save_revision(user=actor, log_action=True)
        # The importer's own permission check stands for Wagtail's page publishing permission.
        revision.publish(user=actor, skip_permission_checks=True)
    except ValidationError as error:
        raise _refused(fmt.ITEMS, record.row, error) from error
    return page


def _delegation_save(change: _Change[DelegationRecord, Delegation], *, item: ServiceItemPage, actor) -> None:
    record = change.record
    delegation = change.stored or Delegation(item=item, document_number=record.document_number)
    if delegation.revoked_on != record.revoked_on:
        delegation.revoked_by = actor if record.revoked_on else None
    # The file's checks refused rows without these, so a planned change has them.
    delegation.department = required(record.department, "department")
    delegation.mode = required(record.mode, "mode")
    delegation.valid_from = required(record.valid_from, "valid_from")
    delegation.valid_until = record.valid_until
    delegation.revoked_on = record.revoked_on
    delegation.revoked_reason = record.revoked_reason
    try:
        delegation_save(actor=actor, delegation=delegation, centres=record.centres)
    except (DomainError, ValidationError) as error:
        raise _refused(fmt.DELEGATIONS, record.row, error) from error


def _synonym_save(change: _Change[SynonymRecord, Synonym], *, actor) -> None:
    record = change.record
    synonym = change.stored or Synonym(phrase=record.phrase)
    is_new = synonym.pk is None
    synonym.means = record.means
    synonym.save()
    log(instance=synonym, action="wagtail.create" if is_new else "wagtail.edit", user=actor)
