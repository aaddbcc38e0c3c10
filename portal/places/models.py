"""Regions form the tree county > township > village that every jurisdiction is cut from."""

from django.core.exceptions import ValidationError
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
