"""The back office's key page of a client: its keys (prefix, created, valid until, revoked,
last used), a button to issue a new one (the old ones stay valid for the grace period) and one
to revoke each. A new key is shown once, on the page answering the POST, never stored."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.errors import DomainError

from .models import ApiClient
from .policies import api_client_policy
from .services import IssuedKey, api_key_issue, api_key_revoke


def _client_or_404(user, pk: int) -> ApiClient:
    client = api_client_policy.instances_user_has_permission_for(user, "change").filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


class RevokeForm(forms.Form):
    key = forms.IntegerField(widget=forms.HiddenInput)


def key_shown(request, client: ApiClient, issued: IssuedKey):
    """The page that shows a new key, once (private, not cached)."""
    return TemplateResponse(request, "api/admin/key_shown.html", {"client": client, "issued": issued})


@never_cache
@require_http_methods(["GET", "POST"])
def client_keys(request, pk: int):
    client = _client_or_404(request.user, pk)
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                form = RevokeForm(request.POST)
                key = client.keys.filter(pk=form.data.get("key") or 0).first() if form.is_valid() else None
                if key is None:
                    raise Http404
                api_key_revoke(actor=request.user, key=key)
                messages.success(
                    request, _("Key %(prefix)s… revoked: it no longer works.") % {"prefix": key.prefix}
                )
            else:
                return key_shown(request, client, api_key_issue(actor=request.user, client=client))
        except DomainError as error:
            messages.error(request, str(error))
        return redirect("api_client_admin:keys", client.pk)
    context = {"client": client, "keys": list(client.keys.select_related("created_by", "revoked_by"))}
    return TemplateResponse(request, "api/admin/keys.html", context)
