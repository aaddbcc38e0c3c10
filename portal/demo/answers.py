"""What the demo's villagers answer on an item's application form (申请表), and what the clerk
enters for the office's own fields (核定).

The answers are made from the form itself, kind by kind, so every demo item an editor gives a form
gets plausible, valid answers without a story having to spell them out (the stories that do
spell theirs out are in `item_answers`): the villager is the first
household member (本人), a household has one more member in about half of the stories, amounts
are small and round, the bank is the county's rural commercial bank. They are the same on every
load (seeded by the story's key), and a story may still set any answer itself.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from typing import Any

from services_catalog.item_forms.schema import FieldSpec, FormSpec, Kind
from services_catalog.item_forms.values import NO

BANK = "天津农村商业银行宝坻支行"
# A second household member: (name, relation, birth, order).
COMPANIONS = (
    ("李桂芳", "配偶", "19530611", 44),
    ("王建军", "子女", "19780402", 35),
    ("刘子轩", "孙子女", "20150820", 13),
    ("赵秀兰", "配偶", "19600115", 66),
)


def _seed(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def _id_number(birth: str, order: int) -> str:
    # why: python-stdnum computes the check digit; the demo's villagers are built the same way
    from stdnum.cn import ric

    area = "120224" if birth < "20010101" else "120115"
    body = f"{area}{birth}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def _birth(id_number: str) -> str:
    return id_number[6:14] if len(id_number) == 18 else ""


def _account(key: str) -> str:
    return "621799" + f"{_seed(key + ':account') % 10**13:013d}"


def _scalar(spec: FieldSpec, key: str, today_iso: str, birth: str = "") -> str | None:
    """An answer to a simple field, or None to leave it empty (only when it may be)."""
    seed = _seed(f"{key}:{spec.key}")
    if spec.kind == Kind.CHOICE:
        return spec.choices[seed % min(len(spec.choices), 2)] if spec.required else spec.choices[0]
    if spec.kind == Kind.YESNO:
        return NO
    if spec.kind == Kind.MONEY:
        low = int(spec.minimum or 0)
        high = int(spec.maximum) if spec.maximum is not None else low + 2000
        return str(low + (seed % max(1, min(high - low, 2000)) // 100) * 100)
    if spec.kind == Kind.NUMBER:
        low = int(spec.minimum) if spec.minimum is not None else 1
        high = int(spec.maximum) if spec.maximum is not None else low + 5
        return str(low + seed % max(1, min(high - low + 1, 6)))
    if spec.kind == Kind.DATE:
        if "出生" in spec.label and birth:
            return f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"
        day = datetime.date.fromisoformat(today_iso) - datetime.timedelta(days=30 + seed % 60)
        return day.isoformat()
    if spec.kind == Kind.TEXT:
        if spec.pattern:
            return None  # a shape only the story can know (a plate number, a land number)
        return "详见申请材料" if spec.required else None  # "required when …": see `_conditions`
    return None


def _compound(
    spec: FieldSpec, path: str, who: Mapping[str, str], key: str, village_code: str
) -> dict[str, str]:
    if spec.kind == Kind.PERSON:
        return {
            f"{path}.name": who["name"],
            f"{path}.id_number": who["id_number"],
            f"{path}.relation": who["relation"],
        }
    if spec.kind == Kind.BANK_ACCOUNT:
        return {f"{path}.bank": BANK, f"{path}.account": _account(key), f"{path}.holder": who["name"]}
    return {f"{path}.region": village_code, f"{path}.detail": f"{(_seed(key) % 90) + 1}号"}


def demo_answers(
    form: FormSpec,
    *,
    key: str,
    name: str,
    id_number: str,
    village_code: str,
    today_iso: str,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Flat answers (input path → text) to every field the villager answers."""
    me = {"name": name, "id_number": id_number, "relation": "本人"}
    raw: dict[str, Any] = {}
    for spec in form.fields():
        if spec.office_only:
            continue
        if spec.kind == Kind.GROUP:
            people = [me]
            if spec.max_items > 1 and _seed(key) % 2 == 0:
                other, relation, birth, order = COMPANIONS[_seed(key) % len(COMPANIONS)]
                people.append({"name": other, "id_number": _id_number(birth, order), "relation": relation})
            for number, who in enumerate(people):
                for child in spec.fields:
                    path = f"{spec.key}.{number}.{child.key}"
                    if child.kind in (Kind.PERSON, Kind.BANK_ACCOUNT, Kind.ADDRESS):
                        raw.update(_compound(child, path, who, f"{key}:{number}", village_code))
                    else:
                        value = _scalar(child, f"{key}:{number}", today_iso, _birth(who["id_number"]))
                        if value is not None:
                            raw[path] = value
            continue
        if spec.kind in (Kind.PERSON, Kind.BANK_ACCOUNT, Kind.ADDRESS):
            raw.update(_compound(spec, spec.key, me, key, village_code))
            continue
        value = _scalar(spec, key, today_iso, _birth(id_number))
        if value is not None:
            raw[spec.key] = value
    _conditions(form, raw)
    # A story's own answers replace the made ones field by field (a household it spells out
    # replaces the made household whole: no made second member is left behind).
    told = {path.split(".", 1)[0] for path in overrides or {}}
    raw = {path: value for path, value in raw.items() if path.split(".", 1)[0] not in told}
    raw.update(overrides or {})
    return raw


def _conditions(form: FormSpec, raw: dict[str, Any]) -> None:
    """A text asked only when another answer has a value (车辆情况 when there is a car) is
    answered only then, as a villager would."""
    for spec in form.fields():
        if spec.kind == Kind.TEXT and spec.required_when and not spec.office_only:
            other, value = spec.required_when
            if raw.get(other) == value:
                raw.setdefault(spec.key, "详见申请材料")


def office_answers(form: FormSpec, data: Mapping[str, Any], *, key: str) -> dict[str, str]:
    """What the clerk enters for the office's own fields that are still empty (核定). A monthly
    amount is the county's standard less the household's income per person, times the persons."""
    out: dict[str, str] = {}
    group = next((f for f in form.fields() if f.kind == Kind.GROUP), None)
    rows = data.get(group.key) if group is not None and isinstance(data.get(group.key), list) else []
    persons = max(1, len(rows))
    incomes = [
        value
        for row in rows
        for child, value in row.items()
        if group is not None
        and any(c.key == child and c.kind == Kind.MONEY for c in group.fields)
        and isinstance(value, int)
    ]
    per_person = sum(incomes) // 100 // persons if incomes else 0
    for spec in form.fields():
        if not spec.office_only or data.get(spec.key) not in (None, "", []):
            continue
        if spec.kind == Kind.MONEY:
            out[spec.key] = str(max(100, (1130 - per_person)) * persons)
        else:
            value = _scalar(spec, key, "2026-01-01")
            if value is not None:
                out[spec.key] = value
    return out
