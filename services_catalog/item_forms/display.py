"""The data as readable rows: the clerk's summary, the receipt, the certificate's lines.

Personal data follows the project's masking rules everywhere here: ID numbers show their first
and last four characters, bank accounts their last four. Papers anyone may carry (`public=True`:
the receipt, the one-time notice) also mask names, as the receipt already does for the villager.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from portal.people.identity import mask_id_number, mask_name

from .schema import CertificateShow, FieldSpec, FormSpec, Kind

SENSITIVE_PARTS = {Kind.PERSON: "id_number", Kind.BANK_ACCOUNT: "account"}


@dataclass(frozen=True)
class Row:
    key: str  # the top-level field (for a group: the group), what a notice line can point at
    label: str
    text: str


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


def money_display(fen: int) -> str:
    """1,280 or 1,280.50: whole yuan without a point, else two digits (fen)."""
    fen = int(fen)
    return f"{fen // 100:,}" if fen % 100 == 0 else f"{Decimal(fen) / 100:,.2f}"


def mask_account(account: str) -> str:
    return f"****{account[-4:]}" if len(account) > 4 else "****"


def mask_value(spec: FieldSpec, value: Any) -> Any:
    """The stored (public) form of a compound value: its secret part masked."""
    part = SENSITIVE_PARTS.get(spec.kind)
    if part is None or not isinstance(value, Mapping) or not value.get(part):
        return value
    masked = mask_id_number(value[part]) if spec.kind == Kind.PERSON else mask_account(value[part])
    return {**value, part: masked}


def field_text(spec: FieldSpec, value: Any, *, regions: Mapping[str, str], public: bool = False) -> str:
    """One value as a sentence fragment; "—" when empty."""
    if value is None or value == "" or value == []:
        return "—"
    kind = spec.kind
    if kind == Kind.MONEY:
        return _("%(amount)s yuan") % {"amount": money_display(value)}
    if kind == Kind.NUMBER:
        return f"{value}{(' ' + spec.unit) if spec.unit else ''}"
    if kind == Kind.YESNO:
        return _("Yes") if value else _("No")
    if kind == Kind.PERSON and isinstance(value, Mapping):
        name = value.get("name", "")
        number = value.get("id_number", "")
        if number and "*" not in number:
            number = mask_id_number(number)
        relation = value.get("relation", "")
        who = mask_name(name) if public else name
        return "，".join(part for part in (f"{who}（{relation}）" if relation else who, number) if part)
    if kind == Kind.BANK_ACCOUNT and isinstance(value, Mapping):
        account = value.get("account", "")
        if account and "*" not in account:
            account = mask_account(account)
        holder = mask_name(value.get("holder", "")) if public else value.get("holder", "")
        return "，".join(part for part in (value.get("bank", ""), account, holder) if part)
    if kind == Kind.ADDRESS and isinstance(value, Mapping):
        place = regions.get(value.get("region", ""), value.get("region", ""))
        return "".join(part for part in (place, value.get("detail", "")) if part)
    if kind == Kind.GROUP and isinstance(value, list):
        return _("%(count)s entries") % {"count": len(value)}
    return str(value)


def group_row_text(
    spec: FieldSpec, row: Mapping[str, Any], *, regions: Mapping[str, str], public: bool
) -> str:
    parts = []
    for child in spec.fields:
        if child.key in row:
            text = field_text(child, row[child.key], regions=regions, public=public)
            parts.append(text if child.kind == Kind.PERSON else f"{child.label} {text}")
    return "；".join(parts) or "—"


def summary(
    form: FormSpec, data: Mapping[str, Any], *, regions: Mapping[str, str], public: bool = False
) -> list[Section]:
    """Every section with its answers; a group gives one row per entry ("家庭成员 2")."""
    sections = []
    for section in form.sections:
        rows: list[Row] = []
        for spec in section.fields:
            value = data.get(spec.key)
            if spec.kind == Kind.GROUP:
                entries = value if isinstance(value, list) else []
                if not entries:
                    rows.append(Row(spec.key, spec.label, "—"))
                for number, entry in enumerate(entries, start=1):
                    rows.append(
                        Row(
                            spec.key,
                            f"{spec.label} {number}",
                            group_row_text(spec, entry, regions=regions, public=public),
                        )
                    )
            else:
                rows.append(
                    Row(spec.key, spec.label, field_text(spec, value, regions=regions, public=public))
                )
        sections.append(Section(section.title, tuple(rows)))
    return sections


def certificate_rows(
    form: FormSpec, data: Mapping[str, Any], *, regions: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The certificate's own lines (保障人数, 月保障金额 …), as (label, text)."""
    out = []
    for line in form.certificate:
        spec = form.field(line.field)
        if spec is None:
            continue
        value = data.get(line.field)
        if line.show == CertificateShow.COUNT:
            count = len(value) if isinstance(value, list) else 0
            out.append((line.label, str(count) if count else "—"))
        else:
            out.append((line.label, field_text(spec, value, regions=regions, public=True)))
    return out
