from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.people.backoffice import (
    ScopedCreateView,
    ScopedEditView,
    ScopedForm,
    ScopedModelViewSet,
)
from portal.people.jurisdiction import regions_managed_by

from .models import Office
from .policies import office_record_policy
from .services import office_save


class OfficeForm(ScopedForm):
    """Kind and region are bounded like the rest: below the county, offices go in the regions
    under the user's own (village stations for a township administrator), and the office on
    the user's own region (their centre) shows its kind, region and active flag fixed."""

    scoped_choices = {"region": office_record_policy.regions_user_may_place_offices_in}

    class Meta:
        model = Office
        fields = ["kind", "region", "name", "short_name", "phone", "address", "opening_hours", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or user.is_superuser:
            return
        fixed = office_record_policy.fields_user_may_not_change(user, self.instance)
        if fixed:
            for name in fixed:
                self.fields[name].disabled = True
            self.fields["region"].queryset = regions_managed_by(user)
            return
        kinds = office_record_policy.kinds_user_may_create(user)
        self.fields["kind"].choices = [
            (value, label) for value, label in self.fields["kind"].choices if not value or value in kinds
        ]


class OfficeCreateView(ScopedCreateView):
    def save_instance(self):
        return office_save(actor=self.request.user, office=self.form.instance)


class OfficeEditView(ScopedEditView):
    def save_instance(self):
        return office_save(actor=self.request.user, office=self.form.instance)


class OfficeViewSet(ScopedModelViewSet):
    model = Office
    permission_policy = office_record_policy
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
