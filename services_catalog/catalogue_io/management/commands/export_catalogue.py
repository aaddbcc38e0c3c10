"""Export a county's catalogue in the import format.

    manage.py export_catalogue catalogue.xlsx --county 120115    # one workbook
    manage.py export_catalogue catalogue/                        # a folder of four CSV files

Importing the result back changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from services_catalog.catalogue_io.export import catalogue_export, catalogue_export_to_folder

from ._county import county_home_from_option


class Command(BaseCommand):
    help = "Export a county's service catalogue as an XLSX workbook (PATH ending .xlsx) or a folder of CSV files."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="Where to write: a path ending .xlsx for a workbook, anything else for a folder."
        )
        parser.add_argument(
            "--county", help="The county's division code, e.g. 120115. Needed when several counties exist."
        )

    def handle(self, *args, path: str, county: str | None, **options):
        county_home = county_home_from_option(county)
        target = Path(path)
        if target.suffix.lower() == ".xlsx":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(catalogue_export(county_home=county_home))
        else:
            catalogue_export_to_folder(county_home=county_home, path=target)
        self.stdout.write(
            self.style.SUCCESS(
                _("The catalogue of %(county)s is in %(path)s.")
                % {"county": county_home.title, "path": target}
            )
        )
