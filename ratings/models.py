"""好差评: the villager's rating of a finished application, and what a bad one sets in motion.

- `Rating`: one per application (a unique key, not a convention). A changed mind within the
  window replaces the level in place; the earlier one stays in `RatingEvent`.
- `Rectification` (差评整改): opened by a bad rating for the office that decided the case
  (谁办理、谁负责), due a set number of working days later, answered, then revisited (回访).
- `RatingAppeal`: the office says a rating is malicious or mistaken; the county administrator
  upholds it or sets it aside. A set-aside rating stays in the history and leaves the figures.
- `RatingEvent`: the append-only history of all three.

The rating copies the office, item, station, township and assistant it is about, so that the
satisfaction figures group one table (see `ratings.figures`) instead of joining applications.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import Application
from portal.history import AppendOnlyEvent
from portal.offices.models import Office
from portal.places.models import Region
from services_catalog.models import ServiceItemPage


class Level(models.IntegerChoices):
    """The five levels of 国办发〔2019〕51号; 1 and 2 are bad ratings."""

    VERY_SATISFIED = 5, _("Very satisfied (非常满意)")
    SATISFIED = 4, _("Satisfied (满意)")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied (基本满意)")
    DISSATISFIED = 2, _("Dissatisfied (不满意)")
    VERY_DISSATISFIED = 1, _("Very dissatisfied (非常不满意)")


BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
SATISFIED_LEVELS = frozenset({Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIRLY_SATISFIED})


class Reason(models.TextChoices):
    """The short list a villager may tick (any number), good or bad."""

    FAST = "fast", _("Quick (办得快)")
    FRIENDLY = "friendly", _("Friendly staff (态度好)")
    NO_ERRANDS = "no_errands", _("No extra trips (少跑腿)")
    SLOW = "slow", _("Too slow (办理慢)")
    TRIPS = "trips", _("Had to come back several times (多次跑)")
    UNCLEAR = "unclear", _("Not explained clearly (告知不清)")
    ATTITUDE = "attitude", _("Unfriendly staff (态度差)")
    EXTRA_MATERIALS = "extra_materials", _("Asked for papers not on the list (要求额外材料)")
    DISAGREE = "disagree", _("Disagree with the decision (对结果不满)")


class Channel(models.TextChoices):
    TRACKING = "tracking", _("On the tracking page")
    QR = "qr", _("By the QR code on the receipt or certificate")
    ASSISTANT = "assistant", _("Recorded by the village assistant for the villager")
    PAPER = "paper", _("Paper form, entered by the village assistant")


ASSISTED_CHANNELS = frozenset({Channel.ASSISTANT, Channel.PAPER})


def _level_validators():
    return [MinValueValidator(1), MaxValueValidator(5)]


class Rating(models.Model):
    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.PROTECT, related_name="rating"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("handling office"), on_delete=models.PROTECT, related_name="ratings"
    )
    item = models.ForeignKey(
        ServiceItemPage, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="ratings"
    )
    station = models.ForeignKey(
        Office, verbose_name=_("filing station"), on_delete=models.PROTECT, related_name="station_ratings"
    )
    township = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="ratings"
    )
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("village assistant"),
        on_delete=models.PROTECT,
        related_name="assisted_ratings",
        help_text="Who filed the application: the assistant whose help the villager rates.",
    )
    level = models.PositiveSmallIntegerField(
        _("rating"), choices=Level.choices, validators=_level_validators()
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=500)
    assistant_level = models.PositiveSmallIntegerField(
        _("rating of the assistant's help"),
        choices=Level.choices,
        null=True,
        blank=True,
        validators=_level_validators(),
    )
    channel = models.CharField(_("how it was given"), max_length=16, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recorded_ratings",
        help_text="The assistant who entered it for the villager; empty when the villager rated.",
    )
    rated_at = models.DateTimeField(_("rated"))
    first_rated_at = models.DateTimeField(_("first rated"))
    changes = models.PositiveSmallIntegerField(_("times changed"), default=0)
    decided_at = models.DateTimeField(_("decided"), help_text="When the case was decided (copied).")
    set_aside_at = models.DateTimeField(_("set aside on appeal"), null=True, blank=True)
    changed_at = models.DateTimeField(
        _("last changed"),
        default=timezone.now,
        help_text=(
            "When the rating or what followed it last changed: every RatingEvent moves it "
            "(ratings.receivers), so a partner syncing on it (the API's ratings list) learns of "
            "a changed level, a rectification's steps and an appeal, not only of new ratings."
        ),
    )

    class Meta:
        verbose_name = _("rating (好差评)")
        verbose_name_plural = _("ratings (好差评)")
        ordering = ["-rated_at", "-pk"]
        indexes = [
            models.Index(fields=["office", "level"], name="rating_office"),
            models.Index(fields=["item", "level"], name="rating_item"),
            models.Index(fields=["assistant", "assistant_level"], name="rating_assistant"),
            models.Index(fields=["township", "level"], name="rating_township"),
            models.Index(fields=["changed_at", "id"], name="rating_changed"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.application.number}: {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels[code]) for code in self.reasons if code in labels]


class Rectification(models.Model):
    """差评整改: the handling office's answer to a bad rating, then the revisit."""

    class State(models.TextChoices):
        OPEN = "open", _("To rectify (待整改)")
        ANSWERED = "answered", _("Answered, to revisit (待回访)")
        REVISITED = "revisited", _("Revisited (已回访)")
        CANCELLED = "cancelled", _("Cancelled (已撤销)")

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="rectifications")
    office = models.ForeignKey(
        Office, verbose_name=_("handling office"), on_delete=models.PROTECT, related_name="rectifications"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened"))
    due_on = models.DateField(_("answer due by"), db_index=True)
    # The period it was given, so a change of the work calendar can count it again.
    working_days = models.PositiveSmallIntegerField(_("working days to answer"), null=True, blank=True)
    answer = models.TextField(_("what was done"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_rectifications",
    )
    answered_on_time = models.BooleanField(_("answered on time"), null=True, blank=True)
    revisited_at = models.DateTimeField(_("revisited"), null=True, blank=True)
    revisited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revisited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisited_rectifications",
    )
    revisit_satisfied = models.BooleanField(_("villager satisfied now"), null=True, blank=True)
    revisit_note = models.TextField(_("revisit note"), blank=True, max_length=1000)
    closed_reason = models.CharField(_("why it was cancelled"), max_length=200, blank=True)
    overdue_reminded_at = models.DateTimeField(_("overdue reminder sent"), null=True, blank=True)
    # Not a column: set on the rows `selectors.with_provisional_notes` returns (the answer date
    # may still move with a calendar not yet confirmed).
    provisional_note: str

    class Meta:
        verbose_name = _("rectification (差评整改)")
        verbose_name_plural = _("rectifications (差评整改)")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["office", "state", "due_on"], name="rectification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"],
                condition=Q(state__in=["open", "answered"]),
                name="one_open_rectification_per_rating",
            )
        ]

    def __str__(self) -> str:
        return _("Rectification of %(number)s") % {"number": self.rating.application.number}

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.OPEN, self.State.ANSWERED)


class RatingAppeal(models.Model):
    """申诉: the office asks the county administrator to set a rating aside."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for the county (待复核)")
        UPHELD = "upheld", _("Rating upheld (维持)")
        SET_ASIDE = "set_aside", _("Rating set aside (撤销差评)")

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="appeal")
    office = models.ForeignKey(Office, verbose_name=_("appealing office"), on_delete=models.PROTECT)
    reason = models.TextField(_("why the rating is malicious or mistaken"), max_length=2000)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filed_rating_appeals"
    )
    filed_at = models.DateTimeField(_("filed"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decided_rating_appeals",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("rating appeal (差评申诉)")
        verbose_name_plural = _("rating appeals (差评申诉)")
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return _("Appeal against the rating of %(number)s") % {"number": self.rating.application.number}


class RatingEvent(AppendOnlyEvent):
    """One line of a rating's history (see `portal.history`); `actor` is empty when the
    villager acted, or the system."""

    class Act(models.TextChoices):
        RATE = "rate", _("Rated (评价)")
        CHANGE = "change", _("Rating changed (修改评价)")
        OPEN = "open_rectification", _("Rectification opened (差评整改)")
        ANSWER = "answer", _("Rectification answered (整改反馈)")
        REVISIT = "revisit", _("Revisited (回访)")
        CANCEL = "cancel_rectification", _("Rectification cancelled (整改撤销)")
        REMIND = "remind_overdue", _("Overdue reminder sent (逾期提醒)")
        DEADLINE_MOVED = "deadline_moved", _("Date moved by the work calendar (期限随日历调整)")
        APPEAL = "appeal", _("Appeal filed (申诉)")
        UPHOLD = "uphold", _("Appeal refused, rating upheld (维持差评)")
        SET_ASIDE = "set_aside", _("Appeal granted, rating set aside (撤销差评)")

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="events")
    rectification = models.ForeignKey(
        Rectification, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    act = models.CharField(_("what happened"), max_length=24, choices=Act.choices)
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16, blank=True)

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("rating event")
        verbose_name_plural = _("rating events")
        indexes = [models.Index(fields=["rating", "at"], name="rating_event_timeline")]

    def __str__(self) -> str:
        return f"{self.get_act_display()} · {self.at:%Y-%m-%d %H:%M}"


class QualitySettings(models.Model):
    """The county's rules for ratings, set by a county administrator (one row)."""

    rectification_days = models.PositiveSmallIntegerField(
        _("working days to answer a bad rating"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    change_window_hours = models.PositiveSmallIntegerField(
        _("hours in which a villager may change a rating"),
        default=72,
        validators=[MinValueValidator(0), MaxValueValidator(720)],
    )
    revisit_office = models.ForeignKey(
        Office,
        verbose_name=_("office that revisits villagers (回访)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "department"},
        help_text=_(
            "A county office, usually the 政务服务 office: its staff call the villager back after a "
            "rectification, never the rated office itself. Left empty, the county administrator does."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("rating rules")
        verbose_name_plural = _("rating rules")

    def __str__(self) -> str:
        return str(_("Rating rules"))

    @classmethod
    def current(cls) -> "QualitySettings":
        return cls.objects.select_related("revisit_office__region").order_by("pk").first() or cls()
