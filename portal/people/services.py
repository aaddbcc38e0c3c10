"""State changes for staff, memberships and residents. Each checks the actor's jurisdiction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_permissions_changed
from portal.errors import DomainError, NotPermitted
from portal.offices.models import Office
from portal.places.models import Region

from .crypto import keyed_digest
from .identity import check_id_number, mask_id_number, normalise_mobile
from .jurisdiction import jurisdiction_sync, office_policy, user_is_county_administrator
from .models import Membership, MembershipEvent, Resident, User
from .policies import membership_policy, resident_policy, staff_policy
from .roles import Action, Role, office_kinds_for


def _require_manage(actor: User, office: Office) -> None:
    if not office_policy.user_has_permission_for_instance(actor, Action.MANAGE, office):
        raise NotPermitted(_("You may not manage the staff of %(office)s.") % {"office": office})


def _require_may_grant(actor: User, *, user: User, office: Office, role: str) -> None:
    """`membership_policy.grant_refusal`: the actor manages the office, nobody grants or ends
    their own roles, and only a county administrator grants or ends supervisor, editor and
    administrator."""
    refusal = membership_policy.grant_refusal(actor, user=user, office=office, role=role)
    if refusal is not None:
        raise NotPermitted(refusal)


def permissions_sync_audited(user: User) -> tuple[int, int]:
    """Recompute the user's permissions and, when they changed, say so in the audit log."""
    added, removed = jurisdiction_sync(user)
    if added or removed:
        audit_permissions_changed(user=user, added=added, removed=removed)
    return added, removed


@transaction.atomic
def membership_create(
    *, actor: User | None, user: User, office: Office, role: str, comment: str = ""
) -> Membership:
    """Give `user` a role in `office` and grant the role's object permissions at once.

    `actor=None` is reserved for system jobs (demo data, imports run by an operator)."""
    office_kinds = office_kinds_for(role)
    if office_kinds is None:
        raise DomainError(_("Unknown role."))
    if actor is not None:
        _require_may_grant(actor, user=user, office=office, role=role)
    if office.kind not in office_kinds:
        raise DomainError(
            _("A %(role)s cannot belong to a %(kind)s.")
            % {"role": Role(role).label, "kind": office.get_kind_display()}
        )
    existing = Membership.objects.current().filter(user=user, office=office, role=role).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user,
                office=office,
                role=role,
                county_granted=actor is None or user_is_county_administrator(actor),
            )
    except IntegrityError as error:  # a concurrent identical request won the race
        raise DomainError(_("This membership already exists.")) from error
    MembershipEvent.objects.create(
        membership=membership, kind=MembershipEvent.Kind.STARTED, actor=actor, comment=comment
    )
    permissions_sync_audited(user)
    return membership


@transaction.atomic
def membership_end(*, actor: User | None, membership: Membership, comment: str = "") -> Membership:
    """End a membership; the permissions it alone granted go with it in the same transaction."""
    membership = Membership.objects.select_for_update().select_related("office").get(pk=membership.pk)
    if actor is not None:
        _require_may_grant(actor, user=membership.user, office=membership.office, role=membership.role)
    if membership.ended_at is not None:
        return membership
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    MembershipEvent.objects.create(
        membership=membership, kind=MembershipEvent.Kind.ENDED, actor=actor, comment=comment
    )
    permissions_sync_audited(membership.user)
    return membership


@transaction.atomic
def staff_create(
    *,
    actor: User | None,
    username: str,
    name: str,
    password: str,
    office: Office,
    role: str,
    mobile: str | None = None,
    email: str = "",
) -> User:
    """Create a staff account together with its first membership, so no account exists
    outside every jurisdiction (which no township administrator could then see or fix)."""
    if actor is not None:
        _require_manage(actor, office)
    user = User(
        username=username, name=name, mobile=normalise_mobile(mobile) if mobile else None, email=email
    )
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from error
    user.save()
    membership_create(actor=actor, user=user, office=office, role=role)
    return user


def staff_require_manage(actor: User, user: User) -> None:
    """Refuse unless `actor` manages the staff of every office where `user` holds a role: what
    one does to an account (disable it, remove its authenticator app) reaches all its offices.
    An account with no role now belongs to no office's administrators, only the county's."""
    refusal = staff_policy.refusal(actor, user)
    if refusal is not None:
        raise NotPermitted(refusal)


@transaction.atomic
def staff_set_active(*, actor: User | None, user: User, active: bool) -> User:
    """Disable or re-enable an account; a disabled account keeps no object permissions."""
    if actor is not None:
        staff_require_manage(actor, user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    permissions_sync_audited(user)
    return user


@transaction.atomic
def resident_register(
    *, actor: User | None, name: str, id_number: str, mobile: str, village: Region
) -> tuple[Resident, list[str]]:
    """Register a villager, or return the existing record for the same ID number.

    Returns the resident and the validator's warnings (an old area code, for instance), which
    the caller shows without blocking. Raises ValidationError with the failing part named.
    """
    if actor is not None and not resident_policy.user_may_register_residents_of(actor, village):
        raise NotPermitted(_("You may not register residents of %(village)s.") % {"village": village})
    checked = check_id_number(id_number)
    digest = keyed_digest(checked.number)
    existing = Resident.objects.filter(id_number_digest=digest).first()
    if existing:
        return existing, checked.warnings
    resident = Resident(
        name=name.strip(),
        id_number=checked.number,
        id_number_digest=digest,
        id_number_masked=mask_id_number(checked.number),
        mobile=normalise_mobile(mobile),
        village=village,
        created_by=actor,
    )
    resident.full_clean(exclude=["id_number_digest", "id_number_masked"])
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:  # the same ID number from a concurrent request (a resent form): theirs is ours
        return Resident.objects.get(id_number_digest=digest), checked.warnings
    return resident, checked.warnings
