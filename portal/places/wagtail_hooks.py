from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.people.backoffice import JurisdictionPolicy, ScopedForm, ScopedModelViewSet
from portal.people.jurisdiction import regions_managed_by

from .codes import normalise_code
from .models import Region


class RegionPolicy(JurisdictionPolicy):
    def scoped_queryset(self, user):
        return regions_managed_by(user).select_related("parent")


class RegionForm(ScopedForm):
    scoped_choices = {"parent": regions_managed_by}

    class Meta:
        model = Region
        fields = ["level", "parent", "code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Codes are pasted from published lists with spaces or full-width digits.
        self.fields["code"].max_length = None
        self.fields["code"].validators = []

    def clean_code(self):
        return normalise_code(self.cleaned_data["code"])


class RegionViewSet(ScopedModelViewSet):
    model = Region
    permission_policy_class = RegionPolicy
    form_class = RegionForm
    menu_label = _("Regions")
    icon = "site"
    menu_order = 210
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    ordering = ["code"]
    name = "region_admin"

    def get_form_class(self, for_update=False):
        return RegionForm


@hooks.register("register_admin_viewset")
def register_region_viewset():
    return RegionViewSet()
