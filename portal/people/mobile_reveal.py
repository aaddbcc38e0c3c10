"""A resident's full mobile in the back office, shown only on an explicit, audited reveal
(issue 16, finding 17). Lists and inspect pages show 139****0001; like the full ID number
(approvals.services.id_number_reveal), seeing all eleven digits is a recorded act."""

from django.http import Http404

from portal.audit.models import AuditEntry
from portal.audit.services import audit_record
from portal.outbox.models import mask_mobile

from .models import Resident, User
from .selectors import residents_visible_to


def resident_mobile_reveal(*, actor: User, resident_id: int, context: str) -> Resident:
    """The resident, for a reveal of the full mobile by someone whose jurisdiction covers their
    village (404 otherwise); writes the audit entry first. `context` says which page asked."""
    resident = residents_visible_to(actor).filter(pk=resident_id).first()
    if resident is None:
        raise Http404
    audit_record(
        event=AuditEntry.Event.STATE_CHANGE,
        user=actor,
        obj=resident,
        detail={
            "act": "resident_mobile_viewed",
            "masked": mask_mobile(resident.mobile),
            "where": context[:100],
        },
    )
    return resident
