"""Offices: county departments, township service centres and village service stations.

An office is the unit of jurisdiction. Staff belong to offices, applications are routed to
offices, and django-guardian object permissions on offices answer "may this person act on this
office's work?" (see `portal.people.jurisdiction`).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.places.models import Region, RegionLevel


class OfficeKind(models.TextChoices):
    DEPARTMENT = "department", _("County department (县直部门)")
    CENTRE = "centre", _("Township service centre (便民服务中心)")
    STATION = "station", _("Village service station (便民服务站)")


# Each kind of office sits on one level of the region tree.
REGION_LEVEL_FOR_KIND = {
    OfficeKind.DEPARTMENT: RegionLevel.COUNTY,
    OfficeKind.CENTRE: RegionLevel.TOWNSHIP,
    OfficeKind.STATION: RegionLevel.VILLAGE,
}


class OfficeQuerySet(models.QuerySet):
    def within(self, region: Region) -> "OfficeQuerySet":
        """Offices whose region is `region` or lies below it."""
        return self.filter(region__code__startswith=region.prefix)

    def active(self) -> "OfficeQuerySet":
        return self.filter(is_active=True)


class Office(models.Model):
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(
        _("short name"),
        max_length=30,
        help_text=_("Printed on certificates and receipts, e.g. 郝各庄镇 or 区民政局."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OfficeKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="offices"
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["region__code", "kind", "name"]
        constraints = [
            # One centre per township and one station per village: "your station" is unambiguous.
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(kind__in=["centre", "station"]),
                name="office_one_centre_or_station_per_region",
            ),
            models.UniqueConstraint(fields=["region", "name"], name="office_unique_name_in_region"),
        ]
        # The actions a membership can grant on an office; see portal.people.roles.
        default_permissions = ("add", "change", "delete", "view")
        permissions = [
            ("file_application", _("File applications for villagers (代办)")),
            ("handle_application", _("Accept, review and decide applications (受理/审核)")),
            ("supervise_office", _("Supervise the office: approve, reassign, watch deadlines")),
            ("view_office_work", _("See the office's applications")),
            ("manage_office", _("Administer the office: staff, memberships, details")),
            ("edit_guide", _("Edit the service guide and policy pages")),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        expected = REGION_LEVEL_FOR_KIND.get(self.kind)
        if expected and self.region_id and self.region.level != expected:
            raise ValidationError(
                {
                    "region": gettext("A %(kind)s must be tied to a %(level)s.")
                    % {"kind": OfficeKind(self.kind).label, "level": RegionLevel(expected).label}
                }
            )
