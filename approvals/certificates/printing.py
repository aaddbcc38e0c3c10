"""Certificates into PDFs: one for a download, many merged into one for a print batch."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.printing import layout, papers
from portal.people.models import User

from .models import Certificate
from .selectors import certificates_printable_by

CHUNK = 200
"""Certificates read from the database at a time: a batch's rows are never all in memory."""
PROGRESS_EVERY = 20


def certificate_pdf(certificate: Certificate) -> bytes:
    """One certificate (its application loaded or not: one more query if not)."""
    return layout.render([papers.certificate_paper(certificate)], title=certificate.licence_number)


@dataclass
class BatchResult:
    pages: int = 0
    printed: int = 0
    failures: list[dict] = field(default_factory=list)


def certificates_pdf(
    *,
    user: User,
    certificate_ids: list[int],
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Draw the certificates `user` may still print into one PDF written to `out`, in the order
    given. One that may not be printed any more, or fails to render, is listed and skipped."""
    result = BatchResult()
    total = len(certificate_ids)
    canvas = layout.new_canvas(out, title=_("Certificates"))
    if progress is not None:
        progress(0, total)
    done = 0
    for start in range(0, total, CHUNK):
        ids = certificate_ids[start : start + CHUNK]
        found = {
            certificate.pk: certificate
            for certificate in Certificate.objects.filter(pk__in=ids).select_related("application")
        }
        allowed = set(certificates_printable_by(user).filter(pk__in=ids).values_list("pk", flat=True))
        for pk in ids:
            certificate = found.get(pk)
            problem = _problem(certificate, allowed)
            if problem is None:
                try:
                    paper = papers.certificate_paper(certificate)
                except Exception as error:  # one bad certificate must not stop the batch
                    problem = _("could not be drawn: %(error)s") % {"error": error}
                else:
                    layout.draw(canvas, paper)
                    result.pages += 1
                    result.printed += 1
            if problem is not None:
                serial = certificate.licence_number if certificate else f"#{pk}"
                result.failures.append({"serial": serial, "error": str(problem)})
            done += 1
            if progress is not None:
                progress(done, total)
    if result.pages == 0:
        # An empty PDF is not valid: say on the one page why nothing was printed.
        layout.draw(
            canvas,
            layout.Paper(
                title=_("Nothing to print"),
                paragraphs=tuple(
                    f"{failure['serial']}: {failure['error']}" for failure in result.failures[:30]
                ),
            ),
        )
    canvas.save()
    return result


def _problem(certificate: Certificate | None, allowed: set[int]) -> str | None:
    if certificate is None:
        return _("no such certificate")
    if certificate.revoked_at is not None:
        return _("revoked on %(day)s") % {"day": timezone.localdate(certificate.revoked_at)}
    if certificate.pk not in allowed:
        return _("outside your jurisdiction")
    return None
