"""Back office for delegation records: county administrators only, changes through services."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column

from portal.errors import DomainError
from portal.people.backoffice import (
    ScopedCreateView,
    ScopedEditView,
    ScopedForm,
    ScopedIndexView,
    ScopedModelViewSet,
)

from .models import Delegation
from .policies import REVOKE, delegation_policy
from .services import REVOKE_LOG_ACTION, delegation_revoke, delegation_save


class DelegationForm(ScopedForm):
    scoped_choices = {
        "item": delegation_policy.items_user_may_choose,
        "department": delegation_policy.departments_user_may_choose,
        "centres": delegation_policy.centres_user_may_choose,
    }

    class Meta:
        model = Delegation
        fields = ["item", "department", "centres", "mode", "document_number", "valid_from", "valid_until"]
        widgets = {"centres": forms.CheckboxSelectMultiple}


class DelegationCreateView(ScopedCreateView):
    service_logs_itself = True  # delegation_save writes the Wagtail log entry

    def save_instance(self):
        delegation = self.form.save(commit=False)
        return delegation_save(
            actor=self.request.user, delegation=delegation, centres=self.form.cleaned_data["centres"]
        )


class DelegationEditView(ScopedEditView):
    service_logs_itself = True  # delegation_save writes the Wagtail log entry

    def save_instance(self):
        delegation = self.form.save(commit=False)
        return delegation_save(
            actor=self.request.user, delegation=delegation, centres=self.form.cleaned_data["centres"]
        )


class DelegationIndexView(ScopedIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.revoked_on is None:
            buttons.append(
                MenuItem(
                    _("Revoke"),
                    url=reverse("delegation_admin:revoke", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    revoked_on = forms.DateField(label=_("Revoked from (date)"), required=False)


class DelegationViewSet(ScopedModelViewSet):
    model = Delegation
    permission_policy = delegation_policy
    index_view_class = DelegationIndexView
    add_view_class = DelegationCreateView
    edit_view_class = DelegationEditView
    form_class = DelegationForm
    menu_label = _("Delegation records")
    icon = "resubmit"
    menu_order = 240
    list_display = [
        "item",
        "department",
        Column("mode", label=_("mode"), accessor="get_mode_display"),
        "document_number",
        "valid_from",
        "valid_until",
        "revoked_on",
    ]
    list_filter = ["mode"]
    search_fields = ["document_number", "item__title"]
    ordering = ["-valid_from"]
    name = "delegation_admin"

    def get_form_class(self, for_update=False):
        return DelegationForm

    def revoke_view(self, request, pk):
        """A confirmation page with the reason; POST revokes through the service."""
        policy = self.permission_policy
        delegation = get_object_or_404(
            policy.instances_user_has_permission_for(request.user, REVOKE), pk=pk
        )
        form = RevokeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                delegation_revoke(
                    actor=request.user,
                    delegation=delegation,
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data["revoked_on"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Delegation revoked: new applications now go to the department."))
                return redirect(self.get_url_name("index"))
        return TemplateResponse(
            request,
            "services_catalog/admin/delegation_revoke.html",
            {"delegation": delegation, "form": form, "index_url": reverse(self.get_url_name("index"))},
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("revoke/<int:pk>/", self.revoke_view, name="revoke")]


@hooks.register("register_admin_viewset")
def register_delegation_viewset():
    return DelegationViewSet()


@hooks.register("register_log_actions")
def register_delegation_log_actions(actions):
    actions.register_action(REVOKE_LOG_ACTION, _("Revoke delegation"), _("Delegation revoked"))
