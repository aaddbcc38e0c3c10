"""The back office's API clients: listed, created and changed by the administrators of their
office (`api_client_policy`), with only the offices they manage and the scopes they hold there;
a new client's first key is shown once on the page that answers its creation."""

from django import forms
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail import hooks
from wagtail.admin.widgets.button import HeaderButton

from portal.people.backoffice import ScopedCreateView, ScopedEditView, ScopedForm, ScopedModelViewSet

from .admin_views import client_keys, key_shown
from .models import ApiClient
from .policies import api_client_policy
from .scopes import Scope
from .services import api_client_save, api_key_issue
from .webhook_admin_views import client_webhooks, subscription_deliveries


class ApiClientForm(ScopedForm):
    scoped_choices = {"office": api_client_policy.offices_user_may_bind}
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only what the partner's system needs. You may give only scopes you hold at the office."),
    )

    class Meta:
        model = ApiClient
        fields = ["name", "system", "office", "scopes", "rate_limit_per_minute", "is_active"]


class ApiClientCreateView(ScopedCreateView):
    def save_instance(self):
        client = api_client_save(actor=self.request.user, client=self.form.instance)
        self.issued = api_key_issue(actor=self.request.user, client=client)
        return client

    def save_action(self):
        return never_cache(lambda request: key_shown(request, self.object, self.issued))(self.request)


class ApiClientEditView(ScopedEditView):
    def save_instance(self):
        return api_client_save(actor=self.request.user, client=self.form.instance)

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Keys"), url=reverse("api_client_admin:keys", args=[self.object.pk]), icon_name="key"
            ),
            HeaderButton(
                _("Webhooks"),
                url=reverse("api_client_admin:webhooks", args=[self.object.pk]),
                icon_name="link",
            ),
        ]


class ApiClientViewSet(ScopedModelViewSet):
    model = ApiClient
    permission_policy = api_client_policy
    add_view_class = ApiClientCreateView
    edit_view_class = ApiClientEditView
    menu_label = _("API clients")
    icon = "key"
    menu_order = 260
    list_display = ["name", "system", "office", "scope_labels", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "system"]
    ordering = ["name"]
    name = "api_client_admin"

    def get_form_class(self, for_update=False):
        return ApiClientForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("keys/<int:pk>/", client_keys, name="keys"),
            path("webhooks/<int:pk>/", client_webhooks, name="webhooks"),
            path(
                "webhooks/<int:pk>/<int:subscription_pk>/", subscription_deliveries, name="webhook_deliveries"
            ),
        ]


@hooks.register("register_admin_viewset")
def register_api_client_viewset():
    return ApiClientViewSet()
