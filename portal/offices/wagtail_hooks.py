from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.people.backoffice import (
    JurisdictionPolicy,
    ScopedCreateView,
    ScopedEditView,
    ScopedForm,
    ScopedModelViewSet,
)
from portal.people.jurisdiction import regions_managed_by
from portal.people.selectors import offices_user_manages

from .models import Office
from .services import office_save


class OfficePolicy(JurisdictionPolicy):
    def scoped_queryset(self, user):
        return offices_user_manages(user).select_related("region")


class OfficeForm(ScopedForm):
    scoped_choices = {"region": regions_managed_by}

    class Meta:
        model = Office
        fields = ["kind", "region", "name", "short_name", "phone", "address", "opening_hours", "is_active"]


class OfficeCreateView(ScopedCreateView):
    def save_instance(self):
        return office_save(actor=self.request.user, office=self.form.instance)


class OfficeEditView(ScopedEditView):
    def save_instance(self):
        return office_save(actor=self.request.user, office=self.form.instance)


class OfficeViewSet(ScopedModelViewSet):
    model = Office
    permission_policy_class = OfficePolicy
    add_view_class = OfficeCreateView
    edit_view_class = OfficeEditView
    menu_label = _("Offices")
    icon = "home"
    menu_order = 220
    list_display = ["name", "kind", "region", "phone"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    ordering = ["region__code", "kind", "name"]
    name = "office_admin"

    def get_form_class(self, for_update=False):
        return OfficeForm


@hooks.register("register_admin_viewset")
def register_office_viewset():
    return OfficeViewSet()
