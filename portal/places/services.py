"""State changes for regions. Every field is a permission question, not only which row.

A region's level and code decide jurisdictions: an administrator's reach is the code prefix of
their office's region, and a county administrator is one whose department sits on the root of
the tree. So an administrator below the county may create and change only regions strictly
below their own (a township administrator: the villages of their township), each exactly one
level below its parent and with a code inside the parent's prefix; the region their own office
sits on keeps its level, code and parent (only a county administrator changes those of a
township); and the county itself, its level and its code are a county administrator's alone.
A new county (a new root) is an operator's job. The rules are `places.policies.region_policy`'s.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.errors import DomainError, NotPermitted

from .models import Region, Remedies
from .policies import region_policy, remedies_policy


@transaction.atomic
def region_save(*, actor, region: Region) -> Region:
    """Create or change a region within the actor's jurisdiction (actor=None: an operator's job).

    Raises NotPermitted when a field reaches beyond the actor's jurisdiction and DomainError
    (ValidationError for the code's own rules) when the tree would not be consistent."""
    before = None
    if region.pk is not None:
        before = Region.objects.select_for_update().filter(pk=region.pk).first()
    if actor is not None:
        refusal = region_policy.refusal(actor, region, before)
        if refusal is not None:
            raise NotPermitted(refusal)
    if before is not None and before.code != region.code and before.children.exists():
        raise DomainError(
            _("%(region)s has regions below it whose codes start with its code; it keeps its code.")
            % {"region": before}
        )
    if before is not None and before.level != region.level and before.children.exists():
        raise DomainError(_("%(region)s has regions below it; it keeps its level.") % {"region": before})
    region.full_clean()
    region.save()
    return region


@transaction.atomic
def remedies_save(*, actor, remedies: Remedies) -> Remedies:
    """Set where the county's decisions may be challenged (a county administrator of that
    county; actor=None: an operator's job, e.g. the demo). Raises NotPermitted otherwise."""
    refusal = remedies_policy.refusal(actor, remedies)
    if refusal is not None:
        raise NotPermitted(refusal)
    remedies.full_clean()
    remedies.save()
    return remedies
