"""Import a county's catalogue from a workbook or a folder of CSV files.

    manage.py import_catalogue catalogue.xlsx --county 120115 --dry-run
    manage.py import_catalogue services_catalog/demo_catalogue/

Every row is checked first; with any problem, every problem is listed on stderr, nothing is
written and the command exits with status 1. Importing the same file again changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.web.progress import ProgressLine
from services_catalog.catalogue_io import format as fmt
from services_catalog.catalogue_io.models import ImportPhase
from services_catalog.catalogue_io.services import ImportReport, catalogue_import

from ._county import county_home_from_option


class Command(BaseCommand):
    help = "Import a county's service catalogue from an XLSX workbook or a folder of four CSV files."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            help="An .xlsx workbook, or a folder with items.csv, materials.csv, delegations.csv, synonyms.csv.",
        )
        parser.add_argument(
            "--county", help="The county's division code, e.g. 120115. Needed when several counties exist."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report what would change; write nothing.",
        )

    def handle(self, *args, path: str, county: str | None, dry_run: bool, **options):
        source = Path(path)
        if not source.exists():
            raise CommandError(_("There is no file or folder at %(path)s.") % {"path": path})
        county_home = county_home_from_option(county)
        report = catalogue_import(
            actor=None,
            source=source,
            county_home=county_home,
            dry_run=dry_run,
            progress=ProgressLine(self.stderr, label=lambda phase: ImportPhase(phase).label),
        )
        if report.problems:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "%(count)s problem in %(path)s; nothing was imported.",
                    "%(count)s problems in %(path)s; nothing was imported.",
                    len(report.problems),
                )
                % {"count": len(report.problems), "path": path}
            )
        self._summary(report, county_home.title)

    def _summary(self, report: ImportReport, county: str) -> None:
        if report.dry_run:
            self.stdout.write(
                self.style.WARNING(
                    _("Dry run: every row passed; nothing was written. An import would change:")
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported into %(county)s:") % {"county": county}))
        if report.guide_created:
            self.stdout.write("  " + _("service guide page (办事指南): created"))
        for sheet in fmt.SHEETS:
            counts = report.counts[sheet]
            line = _("%(sheet)s: created %(created)s, updated %(updated)s, unchanged %(unchanged)s") % {
                "sheet": sheet,
                "created": counts.created,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            }
            if sheet == fmt.MATERIALS:
                line += _(", removed %(deleted)s") % {"deleted": counts.deleted}
            self.stdout.write("  " + line)
        # Per record: what is added, which fields change (old → new), what stays as it is.
        for line in report.changes_listing():
            self.stdout.write("  " + line)
