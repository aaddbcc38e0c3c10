"""Print many certificates into one PDF, with a progress bar, as a staff member may.

    manage.py print_certificates --as clerk_a --today --output today.pdf
    manage.py print_certificates --as clerk_a --since 2026-12-01 --output week.pdf
    manage.py print_certificates --as clerk_a --serial 郝各庄镇〔2026〕17号 --output one.pdf

The staff member's jurisdiction decides what may be printed, as on the print page. A
certificate that cannot be printed is reported and left out; the rest are printed.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import selectors
from certificates.printing import certificates_pdf
from certificates.tokens import normalise_serial
from portal.people.models import User
from portal.web.progress import ProgressLine


class Command(BaseCommand):
    help = "Print certificates into one merged PDF, with the jurisdiction of the staff member named by --as."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True, help="The staff member's username.")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--today", action="store_true", help="Every certificate in force issued today.")
        which.add_argument("--since", type=datetime.date.fromisoformat, help="Issued on or after YYYY-MM-DD.")
        which.add_argument("--serial", action="append", help="A serial number; may be given several times.")
        parser.add_argument("--output", required=True, help="Where to write the PDF.")

    def handle(self, *args, username, today, since, serial, output, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active staff member %(name)s.") % {"name": username})
        printable = selectors.certificates_printable_by(user).order_by("issued_at", "pk")
        if today:
            printable = printable.filter(issued_on=timezone.localdate())
        elif since:
            printable = printable.filter(issued_on__gte=since)
        else:
            wanted = [normalise_serial(value) for value in serial]
            found = dict(
                selectors.certificates_visible_to(user)
                .filter(licence_number__in=wanted)
                .values_list("licence_number", "pk")
            )
            missing = [value for value in wanted if value not in found]
            if missing:
                raise CommandError(
                    _("Not found, or not yours to print: %(serials)s") % {"serials": ", ".join(missing)}
                )
            printable = printable.model.objects.filter(pk__in=[found[value] for value in wanted])
        ids = list(printable.values_list("pk", flat=True))
        if not ids:
            raise CommandError(_("Nothing to print."))
        path = Path(output)
        with path.open("wb") as out:
            result = certificates_pdf(
                user=user,
                certificate_ids=ids,
                out=out,
                progress=ProgressLine(self.stderr, label=lambda _p: _("Printing")),
            )
        for failure in result.failures:
            self.stderr.write(f"{failure['serial']}: {failure['error']}")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(printed)s certificates, %(pages)s pages, %(size)s bytes in %(path)s; %(failed)s left out."
                )
                % {
                    "printed": result.printed,
                    "pages": result.pages,
                    "size": path.stat().st_size,
                    "path": path,
                    "failed": len(result.failures),
                }
            )
        )
