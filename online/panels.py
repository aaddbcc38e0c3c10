"""The assistant's panel on the draft page: send a link, the links sent, what came back."""

from django.conf import settings

from approvals import item_data
from approvals.models import Application

from . import selectors
from .forms import SendLinkForm


def askable(application: Application) -> tuple[list, list[tuple[str, str]]]:
    """The item's materials, and the form's fields the villager answers (never 核定)."""
    materials = list(application.item.materials.all())
    form = item_data.form_of(application)
    fields = [(spec.key, spec.label) for spec in form.fields() if not spec.office_only]
    return materials, fields


def panel_context(application: Application, form: SendLinkForm | None = None) -> dict:
    materials, fields = askable(application)
    rows = selectors.link_rows(application, materials={m.pk: m.name for m in materials}, labels=dict(fields))
    if form is None:
        uploaded = set(
            application.files.filter(superseded_at__isnull=True).values_list("material_id", flat=True)
        )
        form = SendLinkForm(
            materials=materials,
            fields=fields,
            initial={
                "materials": [str(m.pk) for m in materials if m.pk not in uploaded],
                "consent": True,
            },
        )
    return {
        "application": application,
        "form": form,
        "rows": rows,
        "arrivals": selectors.arrivals(application),
        "hours": getattr(settings, "CUNBAN_REMOTE_LINK_HOURS", 48),
    }
