"""Every call a client makes is one audit row: the client's name (as the row's user name), its
system, the key's prefix, the method, the path and address (from the audit context) and the
status answered; a refused call (401 with a key, 403, 404, 429) is written as refused."""

from functools import wraps

from portal.audit.models import AuditEntry
from portal.audit.services import audit_record


def audited(view):
    """Wrap a view of the API: after it answers, audit the call if a client made it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        client = getattr(request, "api_client", None)
        if client is not None:
            key = getattr(request, "api_key", None)
            audit_record(
                event=AuditEntry.Event.API_CALL,
                outcome=AuditEntry.Outcome.OK if response.status_code < 400 else AuditEntry.Outcome.REFUSED,
                user=None,
                username=f"API: {client.name}",
                object_type="api.apiclient",
                object_id=str(client.pk),
                detail={
                    "client": client.name,
                    "system": client.system,
                    "key": key.prefix if key is not None else "",
                    "method": request.method,
                    "status": response.status_code,
                },
            )
        return response

    return wrapper
