from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """Policy pages and news written by editors, published by a second editor."""

    name = "cms"
    verbose_name = _("Policy pages")

    def ready(self) -> None:
        from . import signals  # connects county_home_created

        signals.connect_policy_signals()
        self._register_search()

    def _register_search(self) -> None:
        """Policy pages are found by the guide's search box too (services_catalog.search)."""
        from django.utils.html import strip_tags

        from services_catalog.search.registry import Weight
        from services_catalog.search.signals import index_page_type

        from .models import PolicyPage

        def policy_texts(page):
            yield page.summary, Weight.SUMMARY
            yield page.issuing_body, Weight.FIELD
            yield page.document_number, Weight.FIELD
            for item in page.related_items.all():
                yield item.title, Weight.FIELD
            yield strip_tags(page.body), Weight.DETAIL

        # A policy explains an item; the item itself, what villagers came to do, ranks first.
        index_page_type(PolicyPage, texts=policy_texts, prefetch_related=["related_items"], boost=70)
