"""State changes for offices. Region-scoped roles (county administrators, editors) gain or
lose their permissions on an office as it is created or moved, in the same transaction."""

from django.db import transaction

from portal.errors import NotPermitted
from portal.people.jurisdiction import users_covering_office
from portal.people.models import User
from portal.people.services import permissions_sync_audited

from .models import Office
from .policies import office_record_policy


def _resync_covering(office: Office) -> None:
    for user in users_covering_office(office):
        permissions_sync_audited(user)


def _require_may_save(actor, office: Office, before: Office | None) -> None:
    """`offices.policies.office_record_policy`: the regions the actor manages, and below the
    county the field-level rules (offices only strictly below the actor's own region)."""
    refusal = office_record_policy.refusal(actor, office, before)
    if refusal is not None:
        raise NotPermitted(refusal)


@transaction.atomic
def office_save(*, actor, office: Office) -> Office:
    """Create or update an office inside the actor's jurisdiction (actor=None: system job)."""
    previous_region_id = None
    before = None
    if office.pk:
        before = Office.objects.select_for_update().select_related("region").filter(pk=office.pk).first()
        previous_region_id = before.region_id if before else None
    _require_may_save(actor, office, before)
    office.full_clean()
    office.save()
    if previous_region_id != office.region_id:
        _resync_covering(office)
        if previous_region_id is not None:
            # Users who covered the old place lose the office: resync everyone who had rights on it.
            from guardian.models import UserObjectPermission

            holder_ids = UserObjectPermission.objects.filter(
                content_type__app_label="offices", object_pk=str(office.pk)
            ).values_list("user_id", flat=True)
            for user in User.objects.filter(pk__in=holder_ids):
                permissions_sync_audited(user)
    return office
