"""The assistant's side of 网办: send a link to the villager's phone, withdraw one. The panel
itself is drawn on the draft page (`receivers`, `panels`); these views take its forms' POSTs
and go back there. Applications outside the assistant's station answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals import selectors as approvals_selectors
from approvals.models import Application
from portal.errors import DomainError

from . import services
from .forms import SendLinkForm
from .models import RemoteLink
from .panels import askable
from .policies import may_manage_links


def _managed(user, pk: int) -> Application:
    """The application, if the user may send links for it now; else 404 (nothing is told)."""
    try:
        application = approvals_selectors.application_detail_for(user, pk)
    except Application.DoesNotExist:
        raise Http404 from None
    if not may_manage_links(user, application):
        raise Http404
    return application


def _back(application: Application):
    return redirect(reverse("approvals:edit", args=[application.pk]) + "#remote")


@login_required
@require_POST
def send(request, pk: int):
    application = _managed(request.user, pk)
    materials, fields = askable(application)
    form = SendLinkForm(request.POST, materials=materials, fields=fields)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(application)
    data = form.cleaned_data
    try:
        sent = services.remote_link_send(
            actor=request.user,
            application=application,
            mobile=data["mobile"],
            materials=[int(pk) for pk in data["materials"]],
            fields=data["answers"],
            consent=data["consent"],
            note=data["note"],
        )
    except DomainError as error:
        messages.error(request, str(error))
        return _back(application)
    messages.success(
        request,
        _("The link was sent by text message to %(mobile)s. It works until %(until)s.")
        % {
            "mobile": sent.link.mobile[:3] + "****" + sent.link.mobile[-4:],
            "until": f"{timezone.localtime(sent.link.expires_at):%Y-%m-%d %H:%M}",
        },
    )
    return _back(application)


@login_required
@require_POST
def revoke(request, pk: int, link_pk: int):
    application = _managed(request.user, pk)
    link = get_object_or_404(RemoteLink, pk=link_pk, application=application)
    try:
        services.remote_link_revoke(actor=request.user, link=link)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The link was withdrawn: it no longer opens."))
    return _back(application)
