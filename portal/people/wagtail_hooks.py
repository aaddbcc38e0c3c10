"""Back office for staff accounts, memberships and residents, scoped to the user's jurisdiction."""

from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.widgets.button import HeaderButton

from portal.errors import DomainError
from portal.outbox.models import mask_mobile

from .backoffice import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedForm,
    ScopedInspectView,
    ScopedModelViewSet,
)
from .contact_change import contact_change_request
from .identity import normalise_mobile
from .models import Membership, Resident, User
from .policies import membership_policy, resident_policy, staff_policy
from .roles import Role
from .selectors import offices_user_manages
from .services import membership_create, membership_end, staff_create, staff_set_active
from .views_backoffice import resident_mobile, staff_two_factor_reset


class MobileCleaningMixin:
    """Accept a mobile as people type it ("139 0000 1234", "+86 …") and store 11 digits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["mobile"]
        field.max_length = None
        field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
        field.widget.attrs.pop("maxlength", None)
        field.widget.input_type = "tel"

    def clean_mobile(self):
        mobile = self.cleaned_data.get("mobile")
        return normalise_mobile(mobile) if mobile else None


def _bound_role_choices(form) -> None:
    """Offer only the roles the user may grant (`membership_policy`; `membership_create` asks
    the same)."""
    user = form.for_user
    if user is None or user.is_superuser:
        return
    grantable = dict(membership_policy.roles_user_may_grant(user))
    form.fields["role"].choices = [
        (value, label) for value, label in form.fields["role"].choices if not value or value in grantable
    ]


class StaffCreateForm(MobileCleaningMixin, ScopedForm):
    """A new account always arrives with its first role in an office the creator manages."""

    office = forms.ModelChoiceField(queryset=offices_user_manages(None), label=_("Office"))
    role = forms.ChoiceField(choices=Role.choices, label=_("Role"))
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput(render_value=True))
    scoped_choices = {"office": staff_policy.offices_user_may_place_staff_in}

    class Meta:
        model = User
        fields = ["username", "name", "mobile", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bound_role_choices(self)

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class StaffEditForm(MobileCleaningMixin, ScopedForm):
    class Meta:
        model = User
        fields = ["name", "mobile", "email", "is_active"]


class StaffCreateView(ScopedCreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return staff_create(
            actor=self.request.user,
            username=data["username"],
            name=data["name"],
            mobile=data.get("mobile") or None,
            email=data.get("email") or "",
            password=data["password"],
            office=data["office"],
            role=data["role"],
        )


class StaffEditView(ScopedEditView):
    def save_instance(self):
        user = self.form.save(commit=False)
        user.save(update_fields=["name"])
        self._contact_changes_request(user)
        return staff_set_active(
            actor=self.request.user, user=user, active=self.form.cleaned_data["is_active"]
        )

    def _contact_changes_request(self, user):
        """A new e-mail or mobile waits for its owner's confirmation (people.contact_change):
        the values in force stay, and the page says a confirmation was sent."""
        for field in ("email", "mobile"):
            if field not in self.form.changed_data:
                continue
            new_value = self.form.cleaned_data.get(field) or ""
            setattr(user, field, self.form.initial.get(field))
            if contact_change_request(actor=self.request.user, user=user, field=field, new_value=new_value):
                messages.info(
                    self.request,
                    _("The new %(field)s applies when %(name)s confirms it; the old one was told.")
                    % {"field": User._meta.get_field(field).verbose_name, "name": user},
                )

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Reset second factor"),
                url=reverse("staff_admin:two_factor_reset", args=[self.object.pk]),
                icon_name="key",
            )
        ]


class StaffViewSet(ScopedModelViewSet):
    model = User
    permission_policy = staff_policy
    add_view_class = StaffCreateView
    edit_view_class = StaffEditView
    menu_label = _("Staff")
    icon = "user"
    list_display = ["__str__", "username", "mobile", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["username", "name", "mobile"]
    ordering = ["username"]
    name = "staff_admin"

    def get_form_class(self, for_update=False):
        return StaffEditForm if for_update else StaffCreateForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("two-factor-reset/<int:pk>/", staff_two_factor_reset, name="two_factor_reset")
        ]


class MembershipForm(ScopedForm):
    """Offices and people of the user's jurisdiction, never the user themselves, and only the
    roles the user may grant."""

    scoped_choices = {
        "office": membership_policy.offices_user_may_grant_in,
        "user": membership_policy.staff_user_may_grant_to,
    }

    class Meta:
        model = Membership
        fields = ["user", "office", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bound_role_choices(self)


class MembershipCreateView(ScopedCreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return membership_create(
            actor=self.request.user, user=data["user"], office=data["office"], role=data["role"]
        )


class MembershipEndView(ScopedDeleteView):
    """Wagtail's delete confirmation, but the membership is ended and kept."""

    page_title = _("End membership")
    success_message = _("Membership '%(object)s' ended.")

    def delete_action(self):
        membership_end(actor=self.request.user, membership=self.object)

    def form_valid(self, form):
        """A refusal (a role only the county ends, one's own role) comes back as the page's
        error message, never a server error."""
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except DomainError as error:
            messages.error(self.request, str(error))
            return self.get(self.request, *self.args, **self.kwargs)


class MembershipViewSet(ScopedModelViewSet):
    model = Membership
    permission_policy = membership_policy
    add_view_class = MembershipCreateView
    delete_view_class = MembershipEndView
    menu_label = _("Memberships")
    icon = "group"
    list_display = ["user", "role", "office", "started_at", "ended_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__name", "office__name"]
    ordering = ["office__region__code", "role"]
    name = "membership_admin"

    def get_form_class(self, for_update=False):
        return MembershipForm


class ResidentInspectView(ScopedInspectView):
    """The mobile masked (139****0001); the full number only through the audited reveal."""

    def get_mobile_display_value(self):
        return mask_mobile(self.object.mobile)

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Show the full mobile"),
                url=reverse("resident_admin:mobile", args=[self.object.pk]),
                icon_name="view",
            )
        ]


class ResidentViewSet(ScopedModelViewSet):
    """Residents are registered while filing (applications); here they can only be looked up.
    Lists show the masked ID number only."""

    model = Resident
    permission_policy = resident_policy
    menu_label = _("Residents")
    icon = "user"
    list_display = ["name", "id_number_masked", "village"]
    search_fields = ["name"]
    ordering = ["village__code", "name"]
    inspect_view_enabled = True
    inspect_view_class = ResidentInspectView
    inspect_view_fields = ["name", "id_number_masked", "mobile", "village", "created_at"]
    form_fields = ["name"]
    name = "resident_admin"

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("mobile/<int:pk>/", resident_mobile, name="mobile")]


# Grouped under one "People" menu: the items must not also add themselves to the top level.
for viewset_class in (StaffViewSet, MembershipViewSet, ResidentViewSet):
    viewset_class.add_to_admin_menu = False


class PeopleGroup(ViewSetGroup):
    menu_label = _("People")
    menu_icon = "group"
    menu_order = 230
    items = (StaffViewSet, MembershipViewSet, ResidentViewSet)


@hooks.register("register_admin_viewset")
def register_people_viewsets():
    return PeopleGroup()
