"""The county's part of the page tree. Policy pages and news live below it (see policies)."""

from django.db import models
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from portal.places.models import Region, RegionLevel


class CountyHomePage(Page):
    """The root of one county's pages: its service guide, policies and news.

    Editors' page permissions are granted on this page, so each county's editors work in their
    own subtree. Villagers never see it: the portal's home page is a plain Django view, and
    this page sends its visitors there.
    """

    region = models.OneToOneField(
        Region,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="home_page",
        limit_choices_to={"level": RegionLevel.COUNTY},
    )

    content_panels = Page.content_panels + [FieldPanel("region")]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("county home")

    def serve(self, request, *args, **kwargs):
        return HttpResponseRedirect("/")

    def route(self, request, path_components):
        """The service guide is found in one query instead of two (see ServiceGuideIndexPage)."""
        if path_components:
            from services_catalog.models import ServiceGuideIndexPage

            guide = ServiceGuideIndexPage.objects.child_of(self).filter(slug=path_components[0]).first()
            if guide is not None:
                return guide.route(request, path_components[1:])
        return super().route(request, path_components)
