"""The station's side of a villager's own online application (网上申请): the page of a villager's
draft that no assistant has taken yet, and the take (接手) that makes an assistant its filer.

Only the assistants of the draft's station reach these pages; for everyone else the draft does
not exist (404), whatever they type in the address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.errors import DomainError, NotPermitted

from .. import selectors, services
from ..models import Application
from .filing import _own
from .item_data import form_summary


def _waiting(user, pk: int) -> Application:
    """A villager's draft the user may take, or 404 (`filing._own`: its station's assistants)."""
    return _own(user, pk)


@login_required
@require_safe
def handed_in(request, pk: int):
    """What the villager handed in, read-only, with the take button; once taken, the draft form."""
    application = _waiting(request.user, pk)
    if not application.awaits_taking:
        return redirect("approvals:edit", application.pk)
    return render(
        request,
        "approvals/work_handed_in.html",
        {
            "application": application,
            "files": selectors.files_of(application),
            "item_form": form_summary(request.user, application),
            "events": selectors.timeline(application),
        },
    )


@login_required
@require_POST
def take(request, pk: int):
    application = _waiting(request.user, pk)
    try:
        application = services.application_take(actor=request.user, application=application)
    except NotPermitted:
        # `_own` let the user through: a membership ended meanwhile. Say nothing more.
        messages.error(request, _("You may not change application %(ref)s.") % {"ref": application.reference})
        return redirect("approvals:station")
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("approvals:handed_in", application.pk)
    messages.success(
        request,
        _("You took the villager's application: check it, complete it and submit it."),
    )
    return redirect("approvals:edit", application.pk)


urlpatterns = [
    path("<int:pk>/handed-in/", handed_in, name="handed_in"),
    path("<int:pk>/take/", take, name="take"),
]
