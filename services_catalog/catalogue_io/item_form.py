"""The items sheet's 申请表 column: an item's application form as one JSON cell.

The cell holds a definition as services_catalog/item_forms/schema.py reads it; the page keeps it
in its two StreamFields. Import, export and the comparison between them all go through the
*canonical* definition below, so an unchanged form is recognised as unchanged (and publishing
makes no new form version), whatever spacing or key order the file used.
"""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from services_catalog.item_forms.blocks import definition_from_stream, stream_from_definition
from services_catalog.item_forms.schema import DefinitionError, FormSpec, parse_definition
from services_catalog.models import ServiceItemPage

NO_FORM: dict[str, Any] = {}


def _canonical(spec: FormSpec) -> dict[str, Any]:
    """{} for a form without a single field (the item asks nothing more), else its JSON."""
    return NO_FORM if spec.is_empty else spec.to_json()


def form_streams(definition: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """The raw data of the page's `application_form` and `certificate_layout` for a definition."""
    return stream_from_definition(definition) if definition else ([], [])


def form_of_cell(text: str) -> dict[str, Any]:
    """The canonical definition a 申请表 cell gives, or DefinitionError naming every problem.

    The definition is passed once through the page's blocks, so what is compared with the page
    later is what the page will hold: a detail the editor's blocks do not keep (a money field's
    unit, always 元) would otherwise make every import see a change."""
    spec = parse_definition(text.strip())
    if spec.is_empty:
        return NO_FORM
    form, lines = form_streams(spec.to_json())
    streams = []
    problems: list[str] = []
    for name, raw, where in (
        ("application_form", form, "section %(number)s"),
        ("certificate_layout", lines, "certificate line %(number)s"),
    ):
        field = ServiceItemPage._meta.get_field(name)
        value = field.to_python(raw)
        # The editor's blocks have limits of their own (a label of at most 60 characters …): a
        # form the back office could not save again is refused here, not found out later.
        try:
            field.stream_block.clean(value)
        except ValidationError as error:
            _block_problems(error.as_json_data(), where, problems)  # type: ignore[attr-defined]
        streams.append(value)
    if problems:
        raise DefinitionError(problems)
    return _canonical(parse_definition(definition_from_stream(*streams)))


def _block_problems(errors: dict, where: str, problems: list[str], place: str = "") -> None:
    """Block errors as `section 1 · fields 2 · label: …`, one line per message."""
    problems.extend(f"{place}: {message}" for message in errors.get("messages", []))
    problems.extend(f"{place}: {message}" for message in errors.get("nonBlockErrors", []))
    for key, child in (errors.get("blockErrors") or {}).items():
        if not place:
            # The msgids are schema.py's: the place reads as its own problems do.
            here = _(where) % {"number": int(key) + 1}
        elif str(key).isdigit():
            here = f"{place} {int(key) + 1}"
        else:
            here = f"{place} · {key}"
        _block_problems(child, where, problems, here)


def form_of_page(page: ServiceItemPage) -> dict[str, Any]:
    """The canonical definition the page holds (its live content).

    A page whose form no longer reads (it cannot be published so, but could predate a rule)
    gives its raw definition: it differs from any good cell, so an import rewrites it."""
    try:
        return _canonical(page.form_spec())
    except DefinitionError:
        return page.form_definition()


def form_cell(page: ServiceItemPage) -> str:
    """The 申请表 cell the export writes: the definition as one line of JSON, or empty."""
    definition = form_of_page(page)
    if not definition:
        return ""
    return json.dumps(definition, ensure_ascii=False, separators=(", ", ": "))


def form_field_count(definition: dict[str, Any]) -> int:
    """How many fields a definition asks, counting a group's own fields (for the change listing)."""
    return sum(
        1 + len(spec.get("fields", []))
        for section in definition.get("sections", [])
        for spec in section.get("fields", [])
    )
