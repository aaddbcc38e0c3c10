"""Before-and-after audit rows for the records that decide who may do what, and where.

Every change to a staff account, a role (membership), a region, an office, a delegation record
or the work calendar writes one audit row (`portal.audit.services.audit_change`) with the
fields that changed, before and after. It is done with model signals rather than in each view
or service, so that no path is forgotten: the scoped back office, Wagtail's own account pages,
the staff pages and the services alike. Personal data is masked in the row (a mobile as
139****0001, an e-mail as z***@example.com) and a password is never written, only that it
changed.

Rows are written for changes made in a request (the middleware sets the audit context: who and
from which address); commands run by the operator write none. Bulk writes send no signals:
the services that use them (the calendar load, the permission sync) write their own row.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from portal.outbox.models import mask_mobile

from . import services
from .models import AuditEntry

# model label -> the fields whose changes are recorded
AUDITED_FIELDS: dict[str, tuple[str, ...]] = {
    "people.user": (
        "username",
        "name",
        "mobile",
        "email",
        "is_active",
        "is_staff",
        "is_superuser",
        "password",
    ),
    "people.membership": ("user", "office", "role", "started_at", "ended_at", "county_granted"),
    "places.region": ("code", "name", "level", "parent"),
    "offices.office": (
        "name",
        "short_name",
        "kind",
        "region",
        "phone",
        "address",
        "opening_hours",
        "is_active",
    ),
    "services_catalog.delegation": (
        "item",
        "department",
        "mode",
        "document_number",
        "valid_from",
        "valid_until",
        "revoked_on",
        "revoked_by",
        "revoked_reason",
    ),
    "workdays.calendaryear": ("year", "notice", "status", "confirmed_by", "confirmed_at", "source_note"),
    "workdays.calendarday": ("date", "year", "is_workday", "name", "source"),
}

# many-to-many fields whose additions and removals are recorded: (model label, field name)
AUDITED_RELATIONS = (
    ("people.user", "groups"),
    ("people.user", "user_permissions"),
    ("services_catalog.delegation", "centres"),
)

SECRET_FIELDS = frozenset({"password"})


def mask_email(value: str) -> str:
    """z***@example.com: the domain and the first letter, enough to tell two addresses apart."""
    if not value:
        return value
    local, _at, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def _mask_mobile(value: str) -> str:
    return mask_mobile(value) if value else value


MASKS = {"mobile": _mask_mobile, "email": mask_email}


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _attnames(model, names) -> dict[str, str]:
    """field name -> attribute name (`office` -> `office_id`)."""
    return {name: model._meta.get_field(name).attname for name in names}


def _tracked(sender, update_fields) -> dict[str, str]:
    names = AUDITED_FIELDS.get(sender._meta.label_lower)
    if not names:
        return {}
    if update_fields is not None:
        names = [name for name in names if name in update_fields]
    return _attnames(sender, names)


def _masked(values: dict[str, Any]) -> dict[str, Any]:
    masked = {}
    for name, value in values.items():
        if name in SECRET_FIELDS:
            masked[name] = "******"
        elif name in MASKS and isinstance(value, str):
            masked[name] = MASKS[name](value)
        else:
            masked[name] = _plain(value)
    return masked


def on_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    """Read the row as it is before the save (one query, only for changes made in a request)."""
    if raw or services.current.get() is None:
        return
    fields = _tracked(sender, update_fields)
    if not fields:
        instance.__dict__.pop("_audit_before", None)
        return
    before = None
    if instance.pk is not None and not instance._state.adding:
        row = sender._default_manager.filter(pk=instance.pk).values(*fields.values()).first()
        if row is not None:
            before = {name: row[attname] for name, attname in fields.items()}
    instance.__dict__["_audit_before"] = (fields, before)


def on_post_save(sender, instance, created, raw=False, **kwargs):
    state = instance.__dict__.pop("_audit_before", None)
    if raw or state is None:
        return
    fields, before = state
    after = {name: getattr(instance, attname) for name, attname in fields.items()}
    if before is None:
        changed = [name for name, value in after.items() if value not in (None, "")]
        old = {}
    else:
        changed = [name for name in fields if before[name] != after[name]]
        old = {name: before[name] for name in changed}
        if not changed:
            return
    services.audit_change(
        obj=instance,
        act="create" if before is None else "edit",
        before=_masked(old),
        after=_masked({name: after[name] for name in changed}),
    )


def on_post_delete(sender, instance, **kwargs):
    if services.current.get() is None:
        return
    fields = _tracked(sender, None)
    before = {name: getattr(instance, attname) for name, attname in fields.items()}
    services.audit_change(obj=instance, act="delete", before=_masked(before), after={})


def _on_relation_changed(owner_label: str, field_name: str):
    """Additions are recorded after they happen (Django passes only the rows really added);
    removals before, narrowed to the rows that exist, since `remove()` of a row that is not
    there still sends the signal (the permission sync removes absent groups routinely)."""

    def receiver(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in ("post_add", "pre_remove", "pre_clear") or services.current.get() is None:
            return
        field = apps.get_model(owner_label)._meta.get_field(field_name)
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        if reverse:  # group.user_set.add(user): `instance` is the group, pk_set the accounts
            source, target = target, source
        rows = sender._default_manager.filter(**{f"{source}_id": instance.pk})
        if action == "post_add":
            touched = set(pk_set or ())
        else:
            if action == "pre_remove":
                rows = rows.filter(**{f"{target}_id__in": pk_set or ()})
            touched = set(rows.values_list(f"{target}_id", flat=True))
        if not touched:
            return
        act = "add" if action == "post_add" else "remove"
        if reverse:  # one row for each account (or delegation) touched
            for pk in sorted(touched):
                services.audit_record(
                    event=AuditEntry.Event.STATE_CHANGE,
                    object_type=model._meta.label_lower,
                    object_id=str(pk),
                    detail={"act": act, "field": field_name, "values": [str(instance)]},
                )
            return
        names = sorted(str(obj) for obj in model._default_manager.filter(pk__in=touched))
        services.audit_record(
            event=AuditEntry.Event.STATE_CHANGE,
            obj=instance,
            detail={"act": act, "field": field_name, "values": names},
        )

    return receiver


def connect_change_receivers() -> None:
    for label in AUDITED_FIELDS:
        model = apps.get_model(label)
        uid = f"audit_change_{label}"
        pre_save.connect(on_pre_save, sender=model, dispatch_uid=f"{uid}_pre")
        post_save.connect(on_post_save, sender=model, dispatch_uid=f"{uid}_post")
        post_delete.connect(on_post_delete, sender=model, dispatch_uid=f"{uid}_delete")
    for label, field_name in AUDITED_RELATIONS:
        through = getattr(apps.get_model(label), field_name).through
        m2m_changed.connect(
            _on_relation_changed(label, field_name),
            sender=through,
            dispatch_uid=f"audit_m2m_{label}_{field_name}",
            weak=False,
        )
