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

from .codes import normalise_code
from .models import Region, RegionLevel
from .services import administered_regions, region_save

LEVEL_DEPTH = {RegionLevel.COUNTY: 0, RegionLevel.TOWNSHIP: 1, RegionLevel.VILLAGE: 2}


class RegionPolicy(JurisdictionPolicy):
    def scoped_queryset(self, user):
        return regions_managed_by(user).select_related("parent")


class RegionForm(ScopedForm):
    """Every field is bounded by the user's jurisdiction, not only `parent`: the levels offered
    lie below the user's own region, and the region the user's own office sits on shows its
    level, code and parent without letting them change (`region_save` enforces the same)."""

    scoped_choices = {"parent": regions_managed_by}

    class Meta:
        model = Region
        fields = ["level", "parent", "code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Codes are pasted from published lists with spaces or full-width digits.
        self.fields["code"].max_length = None
        self.fields["code"].validators = []
        user = self.for_user
        if user is None or user.is_superuser:
            return
        roots = administered_regions(user)
        if self.instance.pk and any(root.pk == self.instance.pk for root in roots):
            fixed = ["level", "parent"]
            if not (user_is_county_administrator(user) and self.instance.parent_id is None):
                fixed.append("code")
            for name in fixed:
                self.fields[name].disabled = True
            # Shown as it is, even when the parent lies outside the user's jurisdiction.
            self.fields["parent"].queryset = Region.objects.filter(pk=self.instance.parent_id)
            return
        top = min((LEVEL_DEPTH[root.level] for root in roots), default=len(LEVEL_DEPTH))
        self.fields["level"].choices = [
            (value, label)
            for value, label in self.fields["level"].choices
            if not value or LEVEL_DEPTH[value] > top
        ]

    def clean_code(self):
        return normalise_code(self.cleaned_data["code"])


class RegionCreateView(ScopedCreateView):
    def save_instance(self):
        return region_save(actor=self.request.user, region=self.form.instance)


class RegionEditView(ScopedEditView):
    def save_instance(self):
        return region_save(actor=self.request.user, region=self.form.instance)


class RegionViewSet(ScopedModelViewSet):
    model = Region
    permission_policy_class = RegionPolicy
    add_view_class = RegionCreateView
    edit_view_class = RegionEditView
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
