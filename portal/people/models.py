"""Staff accounts, their memberships in offices, and residents (villagers) as records."""

from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.offices.models import Office
from portal.places.models import Region, RegionLevel

from .crypto import EncryptedTextField
from .identity import validate_mobile
from .roles import Role, office_kinds_for


class User(AbstractUser):
    """A staff login. Villagers never log in: they are `Resident` records.

    `name` holds the whole Chinese name (姓名); `first_name`/`last_name` stay for Django and
    Wagtail compatibility and are left blank. `mobile` is a second login handle.
    """

    name = models.CharField(_("name (姓名)"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile],
        help_text=_("11 digits; staff may log in with it. Shown to villagers for assistants."),
    )
    password_changed_at = models.DateTimeField(
        _("password changed"),
        default=timezone.now,
        help_text=_("Set whenever the password is saved; the dengbao policy expires it."),
    )

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name() or self.username

    def get_short_name(self) -> str:
        return self.get_full_name()

    def save(self, *args, **kwargs) -> None:
        """Stamp ``password_changed_at`` when this save stores a new password.

        ``set_password`` leaves the raw password in ``_password`` until the next save; a hasher
        upgrade at login clears it first, so re-hashing does not count as a change.
        """
        update_fields = kwargs.get("update_fields")
        if self._password is not None and (update_fields is None or "password" in update_fields):
            self.password_changed_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)

    def password_expired(self, *, max_age_days: int) -> bool:
        """True when a password-age policy is on and this password is older than it allows."""
        if not max_age_days or not self.has_usable_password():
            return False
        return timezone.now() - self.password_changed_at > timedelta(days=max_age_days)


class MembershipQuerySet(models.QuerySet):
    def current(self) -> "MembershipQuerySet":
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    """A user's role in an office. Create and end them only through `people.services`, which
    keeps the guardian object permissions in step with the memberships."""

    user = models.ForeignKey(
        User, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="memberships"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Set once, when the role is granted: the two-person publishing rule counts only editors
    # whose role a county administrator (or an operator's command) granted.
    county_granted = models.BooleanField(
        _("granted by a county administrator"),
        default=False,
        editable=False,
        help_text=_("Granted by a county administrator or by an operator's command."),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["office__region__code", "office__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "office", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="membership_one_current_per_user_office_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.office}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    def clean(self) -> None:
        super().clean()
        office_kinds = office_kinds_for(self.role)
        if office_kinds and self.office_id and self.office.kind not in office_kinds:
            raise ValidationError(
                {
                    "role": gettext("A %(role)s cannot belong to a %(kind)s.")
                    % {"role": self.get_role_display(), "kind": self.office.get_kind_display()}
                }
            )


class MembershipEvent(models.Model):
    """Append-only history of membership changes: who granted or ended what, when."""

    class Kind(models.TextChoices):
        STARTED = "started", _("started")
        ENDED = "ended", _("ended")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.membership_id} · {self.at:%Y-%m-%d %H:%M}"


class Resident(models.Model):
    """A villager (村民) on whose behalf an assistant files. Not a login.

    The resident ID number is sensitive personal information (个人信息保护法 第二十八条): it is
    stored encrypted; `id_number_digest` (a keyed HMAC) finds and de-duplicates it without
    decrypting; `id_number_masked` is what every page shows unless a later rule allows more.
    """

    name = models.CharField(_("name (姓名)"), max_length=50)
    id_number = EncryptedTextField(_("resident ID number (公民身份号码)"))
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    mobile = models.CharField(_("mobile"), max_length=11, validators=[validate_mobile])
    village = models.ForeignKey(
        Region,
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="residents",
        limit_choices_to={"level": RegionLevel.VILLAGE},
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["village__code", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_number_masked})"

    def clean(self) -> None:
        super().clean()
        if self.village_id and self.village.level != RegionLevel.VILLAGE:
            raise ValidationError({"village": gettext("Choose a village (村/社区).")})


class IdNumberDisclosure(models.Model):
    """Who saw a villager's full ID number, when, and on which page (个人信息保护法 第五十一条:
    access to sensitive personal information is controlled and recorded). Append-only."""

    viewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="disclosures")
    context = models.CharField(_("where"), max_length=100)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ID number view")
        verbose_name_plural = _("ID number views")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.viewer} · {self.resident_id} · {self.at:%Y-%m-%d %H:%M}"


class ContactChange(models.Model):
    """A pending change of a staff member's e-mail or mobile, applied only when its owner confirms.

    Whoever asked (the owner or an administrator over them), the old value stays in force for
    login and password reset until the owner, logged in, proves the new address (a link) or
    mobile (a code). The old address and mobile are told, with a link to cancel. The secrets are
    random, stored only as keyed digests, used once and expire; see people.contact_change."""

    class Field(models.TextChoices):
        EMAIL = "email", _("e-mail")
        MOBILE = "mobile", _("mobile")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting for the owner")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")
        SUPERSEDED = "superseded", _("replaced by a newer request")
        FAILED = "failed", _("too many wrong codes")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="contact_changes")
    field = models.CharField(max_length=8, choices=Field.choices)
    old_value = models.CharField(max_length=254, blank=True)
    new_value = models.CharField(max_length=254)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    secret_digest = models.CharField(max_length=64)
    cancel_digest = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("contact change")
        verbose_name_plural = _("contact changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.field} · {self.state}"
