from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.people.backoffice import (
    ScopedCreateView,
    ScopedEditView,
    ScopedForm,
    ScopedModelViewSet,
)

from .codes import normalise_code
from .models import Region, Remedies
from .policies import region_policy, remedies_policy
from .services import region_save, remedies_save


class RegionForm(ScopedForm):
    """Every field is bounded by the user's jurisdiction, not only `parent`: the levels offered
    lie below the user's own region, and the region the user's own office sits on shows its
    level, code and parent without letting them change (`region_save` enforces the same)."""

    scoped_choices = {"parent": region_policy.parents_user_may_choose}

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
        fixed = region_policy.fields_user_may_not_change(user, self.instance)
        if fixed:
            for name in fixed:
                self.fields[name].disabled = True
            # Shown as it is, even when the parent lies outside the user's jurisdiction.
            self.fields["parent"].queryset = Region.objects.filter(pk=self.instance.parent_id)
            return
        levels = region_policy.levels_user_may_create(user)
        self.fields["level"].choices = [
            (value, label) for value, label in self.fields["level"].choices if not value or value in levels
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
    permission_policy = region_policy
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


class RemediesForm(ScopedForm):
    """The county is one the user administers; the time limits are the law's at least."""

    scoped_choices = {"county": remedies_policy.counties_user_may_configure}

    class Meta:
        model = Remedies
        fields = [
            "county",
            "review_body",
            "review_contact",
            "review_days",
            "court",
            "court_contact",
            "litigation_months",
        ]


class RemediesCreateView(ScopedCreateView):
    def save_instance(self):
        return remedies_save(actor=self.request.user, remedies=self.form.instance)


class RemediesEditView(ScopedEditView):
    def save_instance(self):
        return remedies_save(actor=self.request.user, remedies=self.form.instance)


class RemediesViewSet(ScopedModelViewSet):
    """救济途径: printed on every refusal paper of the county (approvals.decision_papers)."""

    model = Remedies
    permission_policy = remedies_policy
    add_view_class = RemediesCreateView
    edit_view_class = RemediesEditView
    form_class = RemediesForm
    menu_label = _("Remedies (救济途径)")
    icon = "help"
    menu_order = 215
    list_display = ["county", "review_body", "court"]
    name = "remedies_admin"

    def get_form_class(self, for_update=False):
        return RemediesForm


@hooks.register("register_admin_viewset")
def register_remedies_viewset():
    return RemediesViewSet()
