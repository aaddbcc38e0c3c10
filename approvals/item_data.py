"""An application's own facts (申请表 data): which form it answers, and its data, sealed.

The data is stored in two parts. `Application.item_data` is JSON that every page, list, filter and
paper reads, with ID numbers and account numbers masked in it; `Application.item_secrets` holds
the full ID and account numbers, encrypted like a resident's ID number, by the input path they
belong to. `full_data` puts them together for the few who need them: the filer's own form, a
check, a reuse the villager agreed to. What changes the data is in `approvals.services`
(`item_data_save`, `item_data_correct`); this module holds no permission of its own.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from services_catalog.item_forms.display import SENSITIVE_PARTS, field_text, group_row_text, mask_value
from services_catalog.item_forms.schema import EMPTY, FieldSpec, FormSpec, Kind
from services_catalog.item_forms.values import Parsed, flatten, input_label, parse
from services_catalog.models import ItemFormVersion
from services_catalog.selectors import county_villages, item_form_current

from .models import Application


def form_of(application: Application) -> FormSpec:
    """The form the application answers: its own version, whatever the item's page says now."""
    version = application.form_version
    return version.spec if version is not None else EMPTY


def version_for_draft(application: Application) -> ItemFormVersion | None:
    """A draft follows the item's newest form until it is submitted; after that it keeps its own."""
    if application.number:
        return application.form_version
    return item_form_current(application.item_id)


def regions() -> dict[str, str]:
    """The villages an address may name (one query)."""
    return county_villages()


def _sensitive_paths(form: FormSpec, data: Mapping[str, Any]):
    """(path, spec, value holder) of every value that has a secret part."""
    for spec in form.fields():
        value = data.get(spec.key)
        if spec.kind in SENSITIVE_PARTS and isinstance(value, Mapping):
            yield spec.key, spec, value
        if spec.kind == Kind.GROUP and isinstance(value, list):
            for number, row in enumerate(value):
                for child in spec.fields:
                    inner = row.get(child.key) if isinstance(row, Mapping) else None
                    if child.kind in SENSITIVE_PARTS and isinstance(inner, Mapping):
                        yield f"{spec.key}.{number}.{child.key}", child, inner


def seal(form: FormSpec, data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """(public data with the secret parts masked, the secrets as JSON text to encrypt)."""
    secrets: dict[str, str] = {}
    public = json.loads(json.dumps(data))  # a deep copy of plain JSON
    masked = {path: mask_value(spec, value) for path, spec, value in _sensitive_paths(form, data)}
    for path, spec, value in _sensitive_paths(form, data):
        part = SENSITIVE_PARTS[spec.kind]
        if value.get(part):
            secrets[f"{path}.{part}"] = value[part]
    for path, value in masked.items():
        _put(public, path, value)
    return public, json.dumps(secrets, ensure_ascii=False) if secrets else ""


def _put(data: dict, path: str, value: Any) -> None:
    names = path.split(".")
    target: Any = data
    for name in names[:-1]:
        target = target[int(name)] if name.isdigit() else target[name]
    target[names[-1]] = value


def full_data(application: Application) -> dict[str, Any]:
    """The data with the full ID and account numbers: for the filer's form and checks, never for
    a page that shows it to someone else."""
    data = json.loads(json.dumps(application.item_data or {}))
    secrets = json.loads(application.item_secrets) if application.item_secrets else {}
    for path, secret in secrets.items():
        try:
            _put(data, path, secret)
        except (KeyError, IndexError, TypeError, ValueError):
            continue  # a path the data no longer has (a row removed)
    return data


def unmask_sent(form: FormSpec, application: Application, raw: Mapping[str, str]) -> dict[str, str]:
    """What a page sent, with each masked number left as the page showed it put back to the full
    number kept: pages show ID and account numbers masked (the clerk's correction page, the
    villager's phone), so nobody sees them in full or has to type them again to change another
    answer."""
    shown = flatten(form, application.item_data or {})
    kept = flatten(form, full_data(application))
    return {
        name: kept.get(name, text) if "*" in text and shown.get(name) == text else text
        for name, text in raw.items()
    }


def check(
    application: Application,
    form: FormSpec,
    raw: Mapping[str, Any],
    *,
    partial: bool,
    keys=None,
    today: datetime.date,
) -> Parsed:
    """Check typed input for `application` against `form`, keeping what `keys` do not cover."""
    return parse(
        form, raw, partial=partial, today=today, regions=regions(), keys=keys, previous=full_data(application)
    )


def problems(application: Application, *, today: datetime.date) -> list[str]:
    """What the data still lacks or gets wrong for a submission, one sentence per input (a draft
    is judged by the form it will be filed under: the item's newest)."""
    version = version_for_draft(application)
    form = version.spec if version is not None else EMPTY
    if form.is_empty:
        return []
    data = full_data(application)
    parsed = parse(form, flatten(form, data), partial=False, today=today, regions=regions())
    return [
        _("Application form: “%(field)s”: %(error)s") % {"field": input_label(form, path), "error": error}
        for path, errors in parsed.errors.items()
        for error in errors
    ]


def value_text(form: FormSpec, key: str, data: Mapping[str, Any], places: Mapping[str, str]) -> str:
    """One top-level field's value as the history shows it (masked)."""
    spec: FieldSpec | None = form.field(key)
    if spec is None:
        return ""
    value = data.get(key)
    if spec.kind == Kind.GROUP:
        rows = value if isinstance(value, list) else []
        return " / ".join(group_row_text(spec, row, regions=places, public=False) for row in rows) or "—"
    return field_text(spec, value, regions=places, public=False)
