"""Regions form the tree county > township > village that every jurisdiction is cut from."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .codes import PARENT_LEVEL, code_prefix, validate_division_code


class RegionLevel(models.TextChoices):
    COUNTY = "county", _("County (县/区)")
    TOWNSHIP = "township", _("Township (乡镇/街道)")
    VILLAGE = "village", _("Village (村/社区)")


class RegionQuerySet(models.QuerySet):
    def within(self, region: "Region") -> "RegionQuerySet":
        """The region and everything below it, by code prefix: one indexed query, no recursion."""
        return self.filter(code__startswith=region.prefix)


class Region(models.Model):
    """A county, township or village, identified by its statistical division code.

    The code carries the tree: a township's code starts with its county's six digits, so
    "everything in this township" is a prefix match on an indexed column. `parent` is kept as
    well, for the admin and for joins that show the township beside a village.
    """

    code = models.CharField(_("division code (统计用区划代码)"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return code_prefix(self.code, self.level)

    def contains(self, other: "Region") -> bool:
        """True when `other` is this region or lies below it."""
        return other.code.startswith(self.prefix)

    def clean(self) -> None:
        super().clean()
        expected_parent = PARENT_LEVEL.get(self.level)
        if expected_parent is None and self.parent_id:
            raise ValidationError({"parent": gettext("A county has no parent region.")})
        if expected_parent and not self.parent_id:
            raise ValidationError({"parent": gettext("Choose the parent region.")})
        if expected_parent and self.parent.level != expected_parent:
            raise ValidationError(
                {
                    "parent": gettext("The parent region must be a %(level)s.")
                    % {"level": RegionLevel(expected_parent).label}
                }
            )
        try:
            validate_division_code(self.code or "", self.level, self.parent.code if self.parent_id else None)
        except ValidationError as error:
            raise ValidationError({"code": error.messages}) from error


class Remedies(models.Model):
    """Where a villager who disagrees with a decision may turn, as the county names it: the body
    that hears 行政复议 and the court for 行政诉讼, with their time limits.

    Every refusal paper prints them (行政许可法 第三十八条; 行政复议法 第二十条: within 60 days of
    knowing the decision; 行政诉讼法 第四十六条: within 6 months). Since the 2023 revision of the
    行政复议法 (第二十四条) the county's people's government hears reconsideration of its
    departments' and its townships' decisions; which court hears a county's administrative cases
    may be centralised elsewhere (集中管辖), so both are the county's to say. Without a record the
    papers name the county government and "the people's court with jurisdiction" in general terms
    (`approvals.decision_papers`)."""

    county = models.OneToOneField(
        Region,
        verbose_name=_("county"),
        on_delete=models.CASCADE,
        related_name="remedies",
        limit_choices_to={"level": RegionLevel.COUNTY},
    )
    review_body = models.CharField(
        _("reconsideration body (行政复议机关)"),
        max_length=100,
        help_text=_("Who hears 行政复议, e.g. 天津市津南区人民政府."),
    )
    review_contact = models.CharField(
        _("where to apply for reconsideration"),
        max_length=200,
        blank=True,
        help_text=_("Address or phone of its reconsideration office, printed on the paper."),
    )
    review_days = models.PositiveSmallIntegerField(
        _("reconsideration time limit (days)"),
        default=60,
        validators=[MinValueValidator(60)],
        help_text=_("At least 60 days from knowing the decision (行政复议法 第二十条)."),
    )
    court = models.CharField(
        _("court (行政诉讼)"),
        max_length=100,
        help_text=_(
            "The people's court that hears the county's administrative cases, e.g. 天津市津南区人民法院."
        ),
    )
    court_contact = models.CharField(_("court address or phone"), max_length=200, blank=True)
    litigation_months = models.PositiveSmallIntegerField(
        _("lawsuit time limit (months)"),
        default=6,
        validators=[MinValueValidator(6)],
        help_text=_("At least 6 months from knowing the decision (行政诉讼法 第四十六条)."),
    )

    class Meta:
        verbose_name = _("remedies (救济途径)")
        verbose_name_plural = _("remedies (救济途径)")
        ordering = ["county__code"]

    def __str__(self) -> str:
        return str(self.county)

    def clean(self) -> None:
        super().clean()
        if self.county_id and (self.county.level != RegionLevel.COUNTY or self.county.parent_id):
            raise ValidationError({"county": gettext("Choose a county.")})
