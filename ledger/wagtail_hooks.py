"""Back office for the ledger: a read-only list and inspect page (see ledger.admin_views)."""

from wagtail import hooks

from .admin_views import LedgerItemViewSet


@hooks.register("register_admin_viewset")
def register_ledger_viewset():
    return LedgerItemViewSet()
