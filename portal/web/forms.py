"""The project's own words for Django's bare form errors (issue 18, gap 12b).

Django says "This field is required." (必需字段) and "The submitted file is empty." (所提交的是空
文件) without naming the field; on a long form, read by an elderly villager or an assistant on a
phone, the error next to the field does not say what to do, and the summary at the top of the
page lists several identical lines. `ClearMessagesMixin` replaces those defaults with a sentence
that names the field and says what to do ("请填写“村民姓名”。", "请选择“办理方式”。", "所选的文件
“户口簿”是空的……"). A message a form or field sets itself is kept: only Django's defaults are
replaced, recognised by identity with the field classes' `default_error_messages`.

A file the upload handler refused for its size (`portal.files.upload_limits.RefusedUpload`)
becomes an error next to its field, saying which file and the limit, so the page comes back
with what was typed instead of storing the file first and refusing it afterwards.

The messages are set when the form is cleaned, not when it is built, so fields a form adds in its
own `__init__` (one per material, say) get them too, in the language of the request.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import pretty_name
from django.utils.translation import gettext as _

from portal.files.upload_limits import RefusedUpload

# The error keys whose Django defaults say nothing about the field.
_KEYS = ("required", "empty", "missing", "invalid")


def _defaults(field: forms.Field, key: str) -> list[Any]:
    """Django's default messages for `key` along the field's classes (identity, not equality)."""
    return [
        klass.__dict__["default_error_messages"][key]
        for klass in type(field).__mro__
        if key in klass.__dict__.get("default_error_messages", {})
    ]


def clear_message(field: forms.Field, name: str, key: str) -> str | None:
    """The project's sentence for error `key` of `field`, or None to keep Django's."""
    label = str(field.label) if field.label else pretty_name(name)
    hidden = isinstance(field.widget, forms.HiddenInput)
    if hidden:
        return _("The page was incomplete. Reload it and try again; what you typed is kept below.")
    if isinstance(field, forms.FileField):
        if key == "empty":
            return _(
                "The file chosen for “%(field)s” is empty (0 bytes). Choose the file again, or take a new photo."
            ) % {"field": label}
        if key in ("required", "missing", "invalid"):
            return _("Choose the file for “%(field)s”.") % {"field": label}
        return None
    if key != "required":
        return None
    if isinstance(field, forms.BooleanField):
        return _("Tick “%(field)s” to go on.") % {"field": label}
    if isinstance(field, (forms.ChoiceField, forms.ModelChoiceField)):
        return _("Choose “%(field)s”.") % {"field": label}
    return _("Fill in “%(field)s”.") % {"field": label}


def apply_clear_messages(form: forms.BaseForm) -> None:
    """Give every field of `form` the project's wording where Django's default would show."""
    for name, field in form.fields.items():
        for key in _KEYS:
            current = field.error_messages.get(key)
            if current is None or not any(current is default for default in _defaults(field, key)):
                continue
            message = clear_message(field, name, key)
            if message is not None:
                # Messages raised with params (none of these keys are) would be %-formatted.
                field.error_messages[key] = message


def add_refused_uploads(form: forms.BaseForm) -> None:
    """An error on each file field whose upload was refused for its size (never kept)."""
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return
    for name, field in form.fields.items():
        if not isinstance(field, forms.FileField):
            continue
        for upload in form.files.getlist(form.add_prefix(name)) if hasattr(form.files, "getlist") else []:
            if isinstance(upload, RefusedUpload):
                form.add_error(name, upload.reason)


class ClearMessagesMixin:
    """Mix into a form (before forms.Form) to replace Django's bare errors with clear ones."""

    def full_clean(self) -> None:
        apply_clear_messages(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]
        add_refused_uploads(self)  # type: ignore[arg-type]


class Form(ClearMessagesMixin, forms.Form):
    """The project's base form: Django's form with clear error messages."""
