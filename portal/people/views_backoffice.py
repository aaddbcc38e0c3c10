"""Back-office pages beside the people viewsets: a colleague's lost-phone reset and the audited
reveal of a resident's full mobile. Thin: the rules live in two_factor and mobile_reveal."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.errors import DomainError

from .forms import SecondFactorResetForm
from .mobile_reveal import resident_mobile_reveal
from .selectors import residents_visible_to, staff_visible_to
from .two_factor import two_factor_reset, user_has_totp


@require_http_methods(["GET", "POST"])
def staff_two_factor_reset(request, pk: int):
    """Remove a colleague's authenticator app after a lost phone, with a reason; they enrol
    again at their next login. Who may: whoever may disable the account, never its holder."""
    user = staff_visible_to(request.user).filter(pk=pk).first()
    if user is None:
        raise Http404
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_reset(actor=request.user, user=user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("%(name)s will set up a new authenticator app at the next login.") % {"name": user}
            )
            return redirect("staff_admin:edit", user.pk)
    context = {"staff": user, "form": form, "has_app": user_has_totp(user)}
    return TemplateResponse(request, "people/admin/two_factor_reset.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def resident_mobile(request, pk: int):
    """GET: a button. POST: the full mobile, written to the audit log first."""
    if request.method == "POST":
        resident = resident_mobile_reveal(actor=request.user, resident_id=pk, context="back office resident")
        return TemplateResponse(
            request, "people/admin/resident_mobile.html", {"resident": resident, "full": True}
        )
    resident = residents_visible_to(request.user).filter(pk=pk).first()
    if resident is None:
        raise Http404
    return TemplateResponse(
        request, "people/admin/resident_mobile.html", {"resident": resident, "full": False}
    )
