"""What the index reads from a service item besides its title."""

from collections.abc import Iterator

from django.utils import translation

from services_catalog.models import ServiceItemPage

from .registry import Weight
from .signals import index_page_type


def service_item_texts(page: ServiceItemPage) -> Iterator[tuple[str, int]]:
    """Summary first, then the words a villager might know the item by, then the small print.

    The item type's label is read in Chinese (its label carries the Chinese term either way),
    so the index does not depend on the language of whoever published the page."""
    yield page.summary, Weight.SUMMARY
    with translation.override("zh-hans"):
        yield str(page.get_item_type_display()), Weight.FIELD
    yield page.department.name, Weight.FIELD
    yield page.department.short_name, Weight.FIELD
    yield page.certificate_name, Weight.FIELD
    for event in page.life_events.all():
        yield event.name, Weight.FIELD
    for material in page.materials.all():
        yield material.name, Weight.DETAIL
    yield page.conditions, Weight.DETAIL


def register_service_items() -> None:
    index_page_type(
        ServiceItemPage,
        texts=service_item_texts,
        select_related=["department"],
        prefetch_related=["materials", "life_events"],
    )
