"""The back office's webhooks of a client (county administrators of the client's county only):
its subscriptions with a paused flag, the form to subscribe (the secret shown once, on the page
answering the POST), resume, rotate-secret and end buttons (a rotated secret is shown once the
same way, with how long the old one still signs), and each subscription's deliveries with their
attempts (status code, time, error), 50 to a page in a fixed number of queries."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.errors import DomainError

from .models import ApiClient
from .policies import api_client_policy, may_manage_webhooks
from .webhook_models import EventType, WebhookAttempt, WebhookSubscription
from .webhook_services import (
    event_types_allowed,
    webhook_end,
    webhook_resume,
    webhook_secret_rotate,
    webhook_subscribe,
)

PAGE_SIZE = 50


class SubscribeForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Endpoint URL"), max_length=300, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), widget=forms.CheckboxSelectMultiple, choices=EventType.choices
    )

    def __init__(self, *args, client: ApiClient, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = set(event_types_allowed(client))
        field = self.fields["event_types"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 (narrows the type)
        field.choices = [(v, label) for v, label in EventType.choices if v in allowed]


def _client_or_404(user, pk: int) -> ApiClient:
    client = api_client_policy.instances_user_has_permission_for(user, "change").filter(pk=pk).first()
    if client is None or not may_manage_webhooks(user, client):
        raise Http404
    return client


@never_cache
@require_http_methods(["GET", "POST"])
def client_webhooks(request, pk: int):
    client = _client_or_404(request.user, pk)
    form = SubscribeForm(client=client)
    status = 200
    if request.method == "POST":
        subscription = client.webhooks.filter(pk=request.POST.get("subscription") or 0).first()
        try:
            if "resume" in request.POST or "end" in request.POST:
                if subscription is None:
                    raise Http404
                if "resume" in request.POST:
                    webhook_resume(actor=request.user, subscription=subscription)
                    messages.success(request, _("Resumed: waiting deliveries are sent again."))
                else:
                    webhook_end(actor=request.user, subscription=subscription)
                    messages.success(request, _("Ended: nothing more is sent to this endpoint."))
                return redirect("api_client_admin:webhooks", client.pk)
            if "rotate" in request.POST:
                if subscription is None:
                    raise Http404
                subscription, secret = webhook_secret_rotate(actor=request.user, subscription=subscription)
                return TemplateResponse(
                    request,
                    "api/admin/webhook_secret.html",
                    {"client": client, "subscription": subscription, "secret": secret, "rotated": True},
                )
            form = SubscribeForm(request.POST, client=client)
            if form.is_valid():
                subscription, secret = webhook_subscribe(
                    actor=request.user,
                    client=client,
                    url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"],
                )
                return TemplateResponse(
                    request,
                    "api/admin/webhook_secret.html",
                    {"client": client, "subscription": subscription, "secret": secret},
                )
            status = 400
        except DomainError as error:
            form.add_error(None, str(error))
            status = 400
    context = {
        "client": client,
        "form": form,
        "subscriptions": list(client.webhooks.order_by("-is_active", "pk")),
        "now": timezone.now(),
        "grace_hours": settings.CUNBAN_WEBHOOK_SECRET_GRACE_HOURS,
    }
    return TemplateResponse(request, "api/admin/webhooks.html", context, status=status)


@never_cache
@require_safe
def subscription_deliveries(request, pk: int, subscription_pk: int):
    client = _client_or_404(request.user, pk)
    subscription = WebhookSubscription.objects.filter(client=client, pk=subscription_pk).first()
    if subscription is None:
        raise Http404
    deliveries = subscription.deliveries.prefetch_related(
        Prefetch("tries", queryset=WebhookAttempt.objects.order_by("at", "pk"))
    ).order_by("-created_at", "-pk")
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"client": client, "subscription": subscription, "page": page}
    return TemplateResponse(request, "api/admin/webhook_deliveries.html", context)
