"""Staff pages for hotline work orders that named no village: the list of those waiting for
the user (`ledger.policies.hotline_orders_visible_to`) and the one-step form to place one in a
village (`ledger.hotline.hotline_order_place`, which checks who may place where)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.errors import DomainError
from portal.places.models import Region

from .. import hotline, selectors
from ..policies import hotline_orders_visible_to


@login_required
@require_safe
def waiting(request):
    orders = list(selectors.hotline_orders_waiting_for(request.user)[:200])
    villages = list(selectors.villages_user_may_place_in(request.user))
    rows = [(order, [v for v in villages if order.region.contains(v)]) for order in orders]
    return render(request, "ledger/hotline_waiting.html", {"rows": rows})


@login_required
@require_POST
def place(request, pk: int):
    order = hotline_orders_visible_to(request.user).filter(pk=pk, item__isnull=True).first()
    if order is None:
        raise Http404
    village = Region.objects.filter(pk=request.POST.get("village") or 0).first()
    version = request.POST.get("version", "")
    try:
        if village is None:
            raise DomainError(_("Choose a village (村/社区)."))
        placed = hotline.hotline_order_place(
            actor=request.user,
            order=order,
            village=village,
            expected_version=int(version) if version.isdigit() else None,
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("ledger:hotline_waiting")
    number = placed.item.number if placed.item is not None else ""
    messages.success(
        request,
        _("Hotline order %(reference)s is now %(number)s in %(village)s's ledger.")
        % {"reference": placed.reference, "number": number, "village": village.name},
    )
    return redirect("ledger:detail", pk=placed.item_id)


urlpatterns = [
    path("hotline/", waiting, name="hotline_waiting"),
    path("hotline/<int:pk>/place/", place, name="hotline_place"),
]
