"""State changes for offices. Region-scoped roles (county administrators, editors) gain or
lose their permissions on an office as it is created or moved, in the same transaction."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.errors import NotPermitted

from .models import Office


def _resync_covering(office: Office) -> None:
    from portal.people.jurisdiction import jurisdiction_sync, users_covering_office

    for user in users_covering_office(office):
        jurisdiction_sync(user)


def _require_region_managed(actor, office: Office) -> None:
    from portal.people.jurisdiction import regions_managed_by

    if actor is not None and not regions_managed_by(actor).filter(pk=office.region_id).exists():
        raise NotPermitted(_("You may not manage offices in %(region)s.") % {"region": office.region})


@transaction.atomic
def office_save(*, actor, office: Office) -> Office:
    """Create or update an office inside the actor's jurisdiction (actor=None: system job)."""
    _require_region_managed(actor, office)
    previous_region_id = None
    if office.pk:
        previous_region_id = Office.objects.filter(pk=office.pk).values_list("region_id", flat=True).first()
    office.full_clean()
    office.save()
    if previous_region_id != office.region_id:
        _resync_covering(office)
        if previous_region_id is not None:
            # Users who covered the old place lose the office: resync everyone who had rights on it.
            from guardian.models import UserObjectPermission

            from portal.people.jurisdiction import jurisdiction_sync
            from portal.people.models import User

            holder_ids = UserObjectPermission.objects.filter(
                content_type__app_label="offices", object_pk=str(office.pk)
            ).values_list("user_id", flat=True)
            for user in User.objects.filter(pk__in=holder_ids):
                jurisdiction_sync(user)
    return office
