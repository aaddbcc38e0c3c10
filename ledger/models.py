"""The requests ledger (民情台账 / 微心愿): villagers' needs and small wishes that are not formal
applications, each with a number, a promise and an append-only history.

A `LedgerItem` belongs to one village and is answered for by that village's township centre
(`office`): the centre's supervisor assigns it, its clerks and the village's assistant may claim
it. Its history is `LedgerEvent` (append-only, like an application's); photos are `LedgerPhoto`
rows in the private storage, never public. State changes happen only in `ledger.services`,
through the table in `ledger.states`.

Fields other code relies on (the weekly meeting sheet, the satisfaction figures):

- `village` (places.Region, a village), `office` (the township centre), `station` (the
  village's station, whose assistant files and confirms);
- `registered_by` (a staff user, or null when the villager used the public form);
- `state` (`ledger.states.State`), `registered_at`, `promised_on` (date), `promised_at`,
  `done_at`, `closed_at` (datetimes), `reopened_count`.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.files.storage import private_storage
from portal.history import AppendOnlyEvent
from portal.numbering import Sequence
from portal.offices.models import Office
from portal.places.models import Region

from .states import OPEN_STATES, Act, State


class Kind(models.TextChoices):
    NEED = "need", _("A need or problem (民情)")
    WISH = "wish", _("A small wish (微心愿)")


class Source(models.TextChoices):
    PUBLIC_FORM = "public_form", _("The villager's online form")
    ASSISTANT = "assistant", _("Registered by the village assistant")
    HOTLINE = "hotline", _("A 12345 hotline work order")


class Helper(models.TextChoices):
    """Who carries the promise out. Staff are named on staff pages only; the public list shows
    their office or role, a private volunteer's name masked, an organisation's name whole."""

    STAFF = "staff", _("A staff member")
    VOLUNTEER = "volunteer", _("A volunteer (志愿者)")
    ORGANISATION = "organisation", _("An organisation or company")


class ClosedVia(models.TextChoices):
    ONLINE = "online", _("The villager confirmed online")
    ASSISTANT = "assistant", _("The assistant recorded the villager's confirmation")


class LedgerItem(models.Model):
    number = models.CharField(_("number (编号)"), max_length=24, unique=True)
    client_token = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Set by the form that registers it: a double-clicked submit registers one item.",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WISH)
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="ledger_items"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("responsible office (township centre)"),
        on_delete=models.PROTECT,
        related_name="ledger_items",
    )
    station = models.ForeignKey(
        Office,
        verbose_name=_("village service station"),
        on_delete=models.PROTECT,
        related_name="station_ledger_items",
    )
    villager_name = models.CharField(_("villager's name"), max_length=50)
    villager_mobile = models.CharField(_("villager's mobile"), max_length=11)
    need = models.TextField(_("what is needed"), max_length=1000)
    source = models.CharField(_("registered through"), max_length=16, choices=Source.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_ledger_items",
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REGISTERED)
    state_changed_at = models.DateTimeField(_("state since"), default=timezone.now)
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every change; forms carry it.")

    # The promise (承诺): who, what, by when. Set by an assignment or a claim.
    promise = models.CharField(_("what is promised (承诺内容)"), max_length=300, blank=True)
    promised_on = models.DateField(_("promised date (承诺时限)"), null=True, blank=True, db_index=True)
    promised_at = models.DateTimeField(_("promise made"), null=True, blank=True)
    helper = models.CharField(_("carried out by"), max_length=16, choices=Helper.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_ledger_items",
    )
    assignee_office = models.ForeignKey(
        Office,
        verbose_name=_("office of the responsible staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    helper_name = models.CharField(_("volunteer or organisation"), max_length=60, blank=True)

    done_at = models.DateTimeField(_("marked done"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed (销号)"), null=True, blank=True)
    closed_via = models.CharField(_("confirmed"), max_length=16, choices=ClosedVia.choices, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("ledger item (民情台账)")
        verbose_name_plural = _("ledger items (民情台账)")
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["office", "state", "promised_on"], name="ledger_office_state"),
            models.Index(fields=["village", "state", "promised_on"], name="ledger_village_state"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """In progress and past its promised date (逾期). A done item waits for the villager, not
        for the worker, so it is not overdue; whether it was done late is `finished_late`."""
        today = today or timezone.localdate()
        return self.state == State.IN_PROGRESS and self.promised_on is not None and self.promised_on < today

    @property
    def finished_late(self) -> bool:
        """Marked done after the promised date."""
        if self.done_at is None or self.promised_on is None:
            return False
        return timezone.localdate(self.done_at) > self.promised_on


class LedgerEvent(AppendOnlyEvent):
    """One step in an item's history (see `portal.history`)."""

    item = models.ForeignKey(LedgerItem, on_delete=models.CASCADE, related_name="events")
    act = models.CharField(_("action"), max_length=24, choices=Act.choices)
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("ledger event")
        verbose_name_plural = _("ledger events")
        indexes = [models.Index(fields=["item", "at"], name="ledger_event_timeline")]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.act} · {self.at:%Y-%m-%d %H:%M}"


class LedgerPhoto(models.Model):
    """A photo of the need (from the form that registered it) or of progress (with a note).
    Kept in the private storage under a random name; staff open it through a view that checks
    the jurisdiction; public pages never show it."""

    item = models.ForeignKey(LedgerItem, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        LedgerEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(upload_to="ledger/%Y/%m/", max_length=200, storage=private_storage)
    display_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ledger photo")
        verbose_name_plural = _("ledger photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.display_name


class LedgerSequence(Sequence):
    """The last number issued per township and year; locked while the next one is taken."""

    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["township", "year"], name="ledger_sequence_per_year")]

    def __str__(self) -> str:
        return f"{self.township_id} {self.year}: {self.last}"


class HotlinePlacing(models.TextChoices):
    """How a hotline work order found its village (or why it waits for a person)."""

    REGION_CODE = "region_code", _("By the village's division code")
    ADDRESS = "address", _("By the village's name in the address")
    BY_HAND = "by_hand", _("Placed by a staff member")
    WAITING = "waiting", _("Waiting for a staff member to place it")


class HotlineOrder(models.Model):
    """A work order from a 12345 hotline system (工单), kept as received.

    It is idempotent on (sender, reference): the sender is the system that posted it (the api app
    passes its client's key), the reference is the hotline's own work-order number, shown on the
    ledger's pages. When it names a village (by division code, or by the village's name in the
    address text) it becomes a `LedgerItem` at once; otherwise it waits in `region` (a township
    or the county) for a person there to place it (`ledger.hotline.hotline_order_place`)."""

    public_id = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="The id the hotline is given (service_request_id).",
    )
    sender = models.CharField(_("sent by"), max_length=40)
    reference = models.CharField(_("hotline reference (工单号)"), max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.NEED)
    region = models.ForeignKey(
        Region,
        verbose_name=_("where it waits or was placed"),
        on_delete=models.PROTECT,
        related_name="hotline_orders",
    )
    address = models.CharField(_("address as given"), max_length=200, blank=True)
    villager_name = models.CharField(_("villager's name"), max_length=50)
    villager_mobile = models.CharField(_("villager's mobile"), max_length=11)
    need = models.TextField(_("what is needed"), max_length=1000)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    placing = models.CharField(_("placed"), max_length=16, choices=HotlinePlacing.choices)
    item = models.OneToOneField(
        LedgerItem,
        verbose_name=_("ledger item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_order",
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every change; forms carry it.")

    class Meta:
        verbose_name = _("hotline work order (12345工单)")
        verbose_name_plural = _("hotline work orders (12345工单)")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "reference"], name="hotline_order_per_sender"),
        ]
        indexes = [models.Index(fields=["region", "placing"], name="hotline_order_waiting")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_waiting(self) -> bool:
        return self.item_id is None


class HotlineOrderEvent(AppendOnlyEvent):
    """One step of a hotline order before it is a ledger item: received, placed. After that, the
    item's own history (`LedgerEvent`) goes on."""

    order = models.ForeignKey(HotlineOrder, on_delete=models.CASCADE, related_name="events")
    act = models.CharField(_("action"), max_length=16)
    from_state = models.CharField(_("from"), max_length=16, choices=HotlinePlacing.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=HotlinePlacing.choices)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("hotline order event")
        verbose_name_plural = _("hotline order events")

    def __str__(self) -> str:
        return f"{self.order_id} · {self.act} · {self.at:%Y-%m-%d %H:%M}"
