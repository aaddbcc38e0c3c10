"""Applications (申请) filed by village assistants for villagers, and everything that happens to them.

An `Application` records where it was routed at submission (handling office, mode and the
delegation record): later changes to delegations never move it. Its history is the append-only
`ApplicationEvent` table, which is also the villager's tracking timeline. State changes happen
only in `approvals.services`, through the table in `approvals.states`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.files.storage import private_storage
from portal.history import AppendOnlyEvent
from portal.numbering import Sequence
from portal.offices.models import Office
from portal.people.crypto import EncryptedTextField
from portal.people.models import Resident
from portal.places.models import Region
from services_catalog.models import Delegation, ItemFormVersion, Material, ServiceItemPage

from .states import OPEN_STATES, Act, State


def choice_label(choices: type[models.Choices], value: str) -> str:
    """A stored value's label, for the `get_..._display` methods of the fields that lists and
    histories show. Why not Django's generated ones: each call builds a dict of every choice,
    hashing (so translating) every lazy label; a history of 20 steps with its 45 acts paid 900
    translations for 20 labels, and a list of 50 rows 750 (bench/province.py)."""
    try:
        return str(choices(value).label)  # a str in the active language, as Django's
    except ValueError:
        return value


class Application(models.Model):
    class Origin(models.TextChoices):
        """Who started it: the village assistant (代办), or the villager online (网上申请), whose
        draft waits for their station's assistant to take and check it (`filed_by` empty until
        then; `services.application_take`)."""

        ASSISTANT = "assistant", _("filed by the village assistant (代办)")
        VILLAGER_ONLINE = "villager_online", _("started online by the villager (网上申请)")

    number = models.CharField(
        _("application number (申请编号)"), max_length=24, unique=True, null=True, blank=True
    )
    client_token = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Set by the form that starts the draft: a double-clicked start makes one draft.",
    )
    item = models.ForeignKey(
        ServiceItemPage, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="applications"
    )
    item_title = models.CharField(_("item"), max_length=255)
    station = models.ForeignKey(
        Office, verbose_name=_("filing station"), on_delete=models.PROTECT, related_name="filed_applications"
    )
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="applications"
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("villager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant_name = models.CharField(_("villager's name"), max_length=50, blank=True)
    applicant_mobile = models.CharField(_("villager's mobile"), max_length=11, blank=True)
    request_note = models.TextField(_("what the villager asks for"), blank=True, max_length=1000)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="filed_applications",
        help_text="Empty only on a villager's online draft nobody has taken yet; set before submission.",
    )
    origin = models.CharField(
        _("started by"), max_length=16, choices=Origin.choices, default=Origin.ASSISTANT
    )
    handed_in_at = models.DateTimeField(
        _("handed in by the villager"),
        null=True,
        blank=True,
        help_text="When the villager handed their online draft to the station's assistant.",
    )

    # The item's own facts (申请表), typed against `form_version` (see approvals.item_data).
    form_version = models.ForeignKey(
        ItemFormVersion,
        verbose_name=_("application form version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    item_data = models.JSONField(_("application form data"), default=dict, blank=True)
    item_secrets = EncryptedTextField(_("ID and account numbers of the form data"), blank=True, default="")

    # Routing, fixed at submission.
    handling_office = models.ForeignKey(
        Office,
        verbose_name=_("handling office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routed_applications",
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegation record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    mode = models.CharField(_("mode"), max_length=16, blank=True)
    current_office = models.ForeignKey(
        Office,
        verbose_name=_("where the work is now"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="current_applications",
    )

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=0, help_text="Bumped by every change; forms carry it.")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clerk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_applications",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    state_changed_at = models.DateTimeField(_("state since"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    # Deadlines (working days on the calendar; see approvals.deadlines).
    received_on = models.DateField(_("materials received on"), null=True, blank=True)
    accept_by = models.DateField(_("accept or return by"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("promised limit (working days)"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(_("working days paused"), default=0)
    paused_since = models.DateField(_("paused since"), null=True, blank=True)
    pause_name = models.CharField(_("special procedure"), max_length=50, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True, db_index=True)
    alert = models.CharField(
        _("deadline alert"),
        max_length=16,
        blank=True,
        choices=[("due_soon", _("due soon")), ("overdue", _("overdue"))],
    )

    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decision_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    tracking_locked_at = models.DateTimeField(_("online tracking locked"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["current_office", "state", "due_on"], name="app_inbox"),
            models.Index(fields=["station", "state"], name="app_station"),
            models.Index(fields=["state", "accept_by"], name="app_accept_by"),
        ]
        constraints = [
            # Only a villager's online draft may wait without a filer, and never past the draft.
            models.CheckConstraint(
                condition=models.Q(filed_by__isnull=False)
                | models.Q(origin="villager_online", state="draft"),
                name="app_filer_unless_villager_draft",
            )
        ]

    def __str__(self) -> str:
        return self.number or _("Draft %(pk)s") % {"pk": self.pk}

    def get_state_display(self) -> str:
        return choice_label(State, self.state)

    @property
    def reference(self) -> str:
        """What people call it: its number once submitted, else 'draft N'."""
        return str(self)

    @property
    def awaits_taking(self) -> bool:
        """A villager's online draft that no assistant has taken yet."""
        return self.origin == self.Origin.VILLAGER_ONLINE and self.filed_by_id is None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ApplicationFile(models.Model):
    """An uploaded file: a material on the item's checklist, the villager's consent (授权委托书),
    a signed promise (容缺受理承诺书) or a supplement. Stored under a random name; the original
    name is only shown. Files are never deleted: taking one off marks it superseded.

    A material may hold several files (居民身份证 of each household member, 每人一份): a new
    file for the same material is added beside the others (issue 18, gap 5). `notice_item` is
    the line of a one-time notice the file answers, when it was uploaded in that line's slot
    (the only way to hand in a line under 其他材料, which names no checklist material).
    `thumbnail` is a small PNG preview for the clerk, made on first request
    (`approvals.previews`) and served only through the download's permission check."""

    class Origin(models.TextChoices):
        """Who handed the file in: the assistant at the station, or the villager on their own
        phone through the assistant's link (网办, the app `online`), where nobody is logged in."""

        STAFF = "staff", _("uploaded by staff")
        VILLAGER_PHONE = "villager_phone", _("from the villager's phone")

    class Kind(models.TextChoices):
        MATERIAL = "material", _("material")
        CONSENT = "consent", _("signed authorisation (授权委托书)")
        PROMISE = "promise", _("signed promise (容缺受理承诺书)")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    material = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.SET_NULL, related_name="application_files"
    )
    material_name = models.CharField(_("material"), max_length=200, blank=True)
    file = models.FileField(upload_to="applications/%Y/%m/", max_length=200, storage=private_storage)
    display_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(_("handed in"), max_length=16, choices=Origin.choices, default=Origin.STAFF)
    uploaded_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    notice_item = models.ForeignKey(
        "NoticeItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    thumbnail = models.FileField(
        upload_to="thumbnails/%Y/%m/", max_length=200, storage=private_storage, blank=True
    )
    # 免提交: the earlier file of the same villager this one reuses, with their consent (the
    # same stored file; `services.material_reuse`). The clerk sees where and when it came from.
    reused_from = models.ForeignKey(
        "self",
        verbose_name=_("reused from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reuses",
    )

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        ordering = ["kind", "material_name", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def from_villager_phone(self) -> bool:
        return self.origin == self.Origin.VILLAGER_PHONE


class ApplicationEvent(AppendOnlyEvent):
    """One step in an application's history (see `portal.history`). Also the villager's
    tracking timeline."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    act = models.CharField(_("action"), max_length=24, choices=Act.choices)
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        indexes = [models.Index(fields=["application", "at"], name="app_event_timeline")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.act} · {self.at:%Y-%m-%d %H:%M}"

    def get_act_display(self) -> str:
        return choice_label(Act, self.act)

    def get_from_state_display(self) -> str:
        return choice_label(State, self.from_state)

    def get_to_state_display(self) -> str:
        return choice_label(State, self.to_state)


class Notice(models.Model):
    """A one-time notice (一次性告知书, 行政许可法 第三十二条) at a return, or the list of
    materials promised at a 容缺受理: every item at once, each with a reason (and a deadline for
    promises)."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("One-time notice (一次性告知)")
        PROMISE = "promise", _("Materials to follow (容缺受理告知)")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.application}"


class NoticeItem(models.Model):
    """One line of a notice. A line of a one-time notice is settled when a file was handed in for
    it after the notice (`supplied_at`) or the assistant wrote why none is needed (`answer`,
    e.g. "该户只有一人"); the supplement goes back only when every line is settled."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    material = models.ForeignKey(Material, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    material_name = models.CharField(_("material"), max_length=200)
    field_key = models.CharField(
        _("form field"),
        max_length=40,
        blank=True,
        help_text="The application form's field the line is about (then `material` is empty).",
    )
    reason = models.CharField(_("what is wrong or missing"), max_length=300)
    due_on = models.DateField(_("hand in by"), null=True, blank=True)
    supplied_at = models.DateTimeField(_("supplied"), null=True, blank=True)
    answer = models.CharField(_("written answer"), max_length=300, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered in writing on"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.material_name}: {self.reason}"


class ApplicationSequence(Sequence):
    """The last number issued per township and day; locked while the next one is taken."""

    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["township", "day"], name="app_sequence_per_day")]

    def __str__(self) -> str:
        return f"{self.township_id} {self.day}: {self.last}"


class TrackingCode(models.Model):
    """One request for a one-time code by text message, which opens a villager's page (an
    application's tracking page, or a ledger item's) in the browser that asked for it, even while
    guessing by number and 4 digits is paused for that number.

    A row is kept for every request, also for numbers nobody has (then no code and no text), so
    the limits count the same for every number. Only hashes are stored: of the code, and of a
    random value kept in the asking browser's session, so someone else's wrong codes never touch
    the villager's own code."""

    class Scope(models.TextChoices):
        TRACKING = "tracking", _("application tracking")
        LEDGER = "ledger", _("ledger item")
        REMOTE = "remote", _("link to the villager's phone")
        APPLY = "apply", _("applying online (网上申请)")

    scope = models.CharField(max_length=8, choices=Scope.choices)
    number = models.CharField(max_length=24)
    address = models.GenericIPAddressField(null=True)
    code_hash = models.CharField(max_length=90, blank=True)
    browser_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["scope", "number", "created_at"], name="tracking_code_by_number"),
            models.Index(fields=["address", "created_at"], name="tracking_code_by_address"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.number} {self.created_at:%Y-%m-%d %H:%M}"
