"""The change log starts with every item already there: published ones at their last
publication, the others as withdrawn, so a platform's first sync sees the whole catalogue."""

from django.db import migrations
from django.utils import timezone


def backfill(apps, schema_editor):
    ServiceItemPage = apps.get_model("services_catalog", "ServiceItemPage")
    CatalogueChange = apps.get_model("api", "CatalogueChange")
    now = timezone.now()
    CatalogueChange.objects.bulk_create(
        [
            CatalogueChange(
                item_id=item.pk,
                item_code=item.item_code,
                title=item.title[:255],
                changed_at=item.last_published_at or item.latest_revision_created_at or now,
                withdrawn=not item.live,
            )
            for item in ServiceItemPage.objects.all()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_clients_keys_and_catalogue_changes"),
        ("services_catalog", "0007_item_form_person_label"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
