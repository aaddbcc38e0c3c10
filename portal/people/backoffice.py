"""Jurisdiction-scoped Wagtail admin viewsets.

Wagtail's generic views ask a permission policy whether a user may add, change, delete or
view; they do not narrow the list or the object lookup to what the user may touch. These
classes add that: every list comes from the policy's `instances_user_has_any_permission_for`
and every object lookup answers 404 outside it, so a township administrator can neither see
nor guess another township's rows. The policies themselves live in each app's `policies.py`
(`JurisdictionPolicy`, their base, in `portal.people.policies`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from portal.errors import DomainError

from .policies import JurisdictionPolicy


class ScopedObjectMixin:
    """Look objects up inside the user's jurisdiction only; 404 outside it."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset) if queryset is not None else super().get_object()
        if not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "view", "delete"], obj
        ):
            raise Http404
        return obj


class ServiceErrorsMixin:
    """Save through the view's service and turn a refusal into a form error.

    A refused service call (DomainError, NotPermitted, ValidationError) rolls its transaction
    back and comes back as errors on the form, keeping everything the user typed, with the
    page's usual "could not be saved" banner: never a server error. Wagtail's own
    `form_invalid` reads `produced_error_message`, which only its `is_valid` sets, so it is
    set here too.

    Wagtail writes its model log (the object's history page) inside its default
    `save_instance`; views that save through a service override it and skipped that log. Here
    the log is written after any overriding `save_instance`, unless `service_logs_itself`
    (the service writes its own Wagtail log entry, e.g. delegation records)."""

    log_action: str = ""
    service_logs_itself = False

    def _overrides_save_instance(self) -> bool:
        for klass in type(self).__mro__:
            if "save_instance" in klass.__dict__:
                return klass.__module__ != generic.CreateView.__module__
        return False

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
                if self.log_action and not self.service_logs_itself and self._overrides_save_instance():
                    log(instance=self.object, action=self.log_action, user=self.request.user)
        except (DomainError, ValidationError) as error:
            self.add_service_errors(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response

    @staticmethod
    def add_service_errors(form, error) -> None:
        """Errors naming a field of the form go on that field; the rest on the form."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                target = name if name in form.fields else None
                for message in ValidationError(errors).messages:
                    form.add_error(target, message)
            return
        messages_list = error.messages if isinstance(error, ValidationError) else [str(error)]
        for message in messages_list:
            form.add_error(None, message)


class ScopedCreateView(ServiceErrorsMixin, generic.CreateView):
    log_action = "wagtail.create"


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change", "view"]
        )


class ScopedEditView(ServiceErrorsMixin, ScopedObjectMixin, generic.EditView):
    log_action = "wagtail.edit"


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    pass


class ScopedHistoryView(ScopedObjectMixin, generic.HistoryView):
    pass


class ScopedUsageView(ScopedObjectMixin, generic.UsageView):
    pass


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose every view is narrowed by `permission_policy_class`.

    The policy is handed to the views directly instead of going into Wagtail's global policy
    registry: the registry holds one policy per model (Wagtail's users app already owns the
    User one), and other admin corners that consult it keep Wagtail's stricter default."""

    permission_policy_class: type[JurisdictionPolicy]
    """Or set `permission_policy` to the app's policy object (`policies.py`) directly."""
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    add_to_admin_menu = True

    @cached_property
    def permission_policy(self):
        return self.permission_policy_class(self.model)

    def register_permissions(self):
        """Nothing to register: access comes from memberships, not model permissions."""

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(permission_policy=self.permission_policy, **kwargs)

    @cached_property
    def menu_item_class(self):
        policy = self.permission_policy
        actions = self.index_view_class.any_permission_required

        def is_shown(_self, request):
            return policy.user_has_any_permission(request.user, actions)

        return type(f"{self.model.__name__}MenuItem", (MenuItem,), {"is_shown": is_shown})


class ReadOnlyScopedViewSet(ScopedModelViewSet):
    """A list and an inspect page, nothing else: for records that only services change."""

    inspect_view_enabled = True
    add_to_reference_index = False

    def get_common_view_kwargs(self, **kwargs):
        """No add, edit, delete, history or usage pages to link to."""
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]

    @property
    def url_finder_class(self):
        """Links to a row from elsewhere in the admin go to its inspect page, for those who may see it."""
        policy = self.permission_policy
        inspect_url_name = self.get_url_name("inspect")

        class InspectURLFinder(ModelAdminURLFinder):
            def get_edit_url(self, instance):
                if self.user is not None and not policy.user_has_any_permission_for_instance(
                    self.user, ["view"], instance
                ):
                    return None
                return reverse(inspect_url_name, args=[instance.pk])

        return InspectURLFinder


class StaffPageInspectView(generic.InspectView):
    """An inspect page with a button to the record's own staff page (`staff_url_name`), where
    the work on it is done."""

    staff_url_name: str

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Open the staff page"),
                url=reverse(self.staff_url_name, args=[self.object.pk]),
                icon_name="link-external",
            )
        ]


class ScopedForm(WagtailAdminModelForm):
    """A form that narrows its choice fields to the user's jurisdiction.

    `scoped_choices` maps a field name to a function of the user returning a queryset."""

    scoped_choices: dict = {}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.for_user = for_user
        if for_user is not None:
            for name, queryset_for in self.scoped_choices.items():
                if name in self.fields:
                    self.fields[name].queryset = queryset_for(for_user)
