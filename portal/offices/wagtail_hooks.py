from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.people.backoffice import (
    JurisdictionPolicy,
    ScopedCreateView,
    ScopedEditView,
    ScopedForm,
    ScopedModelViewSet,
)
from portal.people.jurisdiction import regions_managed_by, user_is_county_administrator
from portal.people.selectors import offices_user_manages
from portal.places.services import administered_regions, region_is_strictly_below

from .models import REGION_LEVEL_FOR_KIND, Office
from .services import office_save


class OfficePolicy(JurisdictionPolicy):
    def scoped_queryset(self, user):
        return offices_user_manages(user).select_related("region")


def _regions_for_offices(user):
    """Where the user may create or move an office: their whole jurisdiction for a county
    administrator, the regions strictly below their own for anyone else (`office_save`)."""
    regions = regions_managed_by(user)
    if user is None or user.is_superuser or user_is_county_administrator(user):
        return regions
    return regions.exclude(pk__in=[region.pk for region in administered_regions(user)])


class OfficeForm(ScopedForm):
    """Kind and region are bounded like the rest: below the county, offices go in the regions
    under the user's own (village stations for a township administrator), and the office on
    the user's own region (their centre) shows its kind, region and active flag fixed."""

    scoped_choices = {"region": _regions_for_offices}

    class Meta:
        model = Office
        fields = ["kind", "region", "name", "short_name", "phone", "address", "opening_hours", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or user.is_superuser or user_is_county_administrator(user):
            return
        if self.instance.pk and not region_is_strictly_below(user, self.instance.region):
            for name in ("kind", "region", "is_active"):
                self.fields[name].disabled = True
            self.fields["region"].queryset = regions_managed_by(user)
            return
        levels = set(self.fields["region"].queryset.values_list("level", flat=True).distinct())
        self.fields["kind"].choices = [
            (value, label)
            for value, label in self.fields["kind"].choices
            if not value or REGION_LEVEL_FOR_KIND.get(value) in levels
        ]


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
