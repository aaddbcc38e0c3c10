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
from portal.offices.models import OfficeKind
from portal.people.backoffice import (
    JurisdictionPolicy,
    ScopedCreateView,
    ScopedEditView,
    ScopedForm,
    ScopedIndexView,
    ScopedModelViewSet,
)
from portal.people.jurisdiction import user_is_county_administrator
from portal.people.selectors import offices_user_manages

from .models import Delegation, ServiceItemPage
from .services import REVOKE_LOG_ACTION, delegation_revoke, delegation_save


def _departments(user):
    return offices_user_manages(user).filter(kind=OfficeKind.DEPARTMENT)


def _centres(user):
    return offices_user_manages(user).filter(kind=OfficeKind.CENTRE).select_related("region")


def _items(user):
    return ServiceItemPage.objects.filter(department__in=_departments(user)).order_by("title")


class DelegationPolicy(JurisdictionPolicy):
    allowed_actions = frozenset({"add", "change", "view"})

    def user_may_add(self, user) -> bool:
        return user_is_county_administrator(user)

    def scoped_queryset(self, user):
        if not user_is_county_administrator(user):
            return Delegation.objects.none()
        return Delegation.objects.filter(department__in=_departments(user)).select_related(
            "item", "department"
        )


class DelegationForm(ScopedForm):
    scoped_choices = {"item": _items, "department": _departments, "centres": _centres}

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
    permission_policy_class = DelegationPolicy
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
            policy.instances_user_has_permission_for(request.user, "change"), pk=pk
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
