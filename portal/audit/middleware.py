"""Request context for audit entries, and refusals that escape staff views."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.throttle.client_address import client_address

from . import services
from .models import AuditEntry

STAFF_PREFIXES = ("/work/", "/admin/")


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = services.AuditContext(
            user=getattr(request, "user", None), ip_address=client_address(request), path=request.path
        )
        token = services.current.set(context)
        try:
            response = self.get_response(request)
        finally:
            services.current.reset(token)
        # Written after the view, outside its (rolled back) transaction: one row per request.
        if context.refusals:
            services.current.set(context)
            try:
                services.audit_record(
                    event=AuditEntry.Event.ACCESS_REFUSED,
                    outcome=AuditEntry.Outcome.REFUSED,
                    detail=context.refusals[0],
                )
            finally:
                services.current.set(None)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied | Http404):
            return None
        context = services.current.get()
        if context is None or context.refusals or not request.path.startswith(STAFF_PREFIXES):
            return None
        if getattr(request, "user", None) is None or not request.user.is_authenticated:
            return None
        context.refusals.append({"reason": "404" if isinstance(exception, Http404) else "403"})
        return None
