"""manage.py rebuild_guide_search: drop and rebuild the guide's search index."""

from django.core.management.base import BaseCommand
from django.db import connection

from services_catalog.search.models import SearchEntry, SearchTerm
from services_catalog.search.services import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index of the service guide from every live page (safe to run at any time)."

    def handle(self, *args, **options):
        search_index_rebuild(progress=lambda line: self.stdout.write(line))
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh rows are not in PostgreSQL's visibility map until autovacuum gets to them;
            # till then every search reads the table as well as the index. Do it now.
            with connection.cursor() as cursor:
                for model in (SearchTerm, SearchEntry):
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
            self.stdout.write("search tables vacuumed and analysed")
