"""Certificates into PDFs: one for a download, many merged into one for a print batch."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.people.models import User
from portal.printing import layout, merge

from . import papers
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
    given. One that may not be printed any more, or fails to render, is listed and skipped.

    Each chunk of `CHUNK` certificates is drawn into a PDF of its own in a temporary folder and
    the chunks are joined at the end (`portal.printing.merge`), so memory holds one chunk
    however long the batch is."""
    result = BatchResult()
    total = len(certificate_ids)
    done = 0
    if progress is not None:
        progress(0, total)
    with tempfile.TemporaryDirectory(prefix="cunban-print-") as folder:
        chunks = []
        for start in range(0, total, CHUNK):
            path = Path(folder) / f"{start:08d}.pdf"
            drawn = 0
            with path.open("wb") as chunk:
                canvas = layout.new_canvas(chunk, title="")
                for paper in _papers(user, certificate_ids[start : start + CHUNK], result):
                    if paper is not None:
                        layout.draw(canvas, paper)
                        drawn += 1
                    done += 1
                    if progress is not None:
                        progress(done, total)
                if drawn:
                    canvas.save()
            if drawn:
                chunks.append(path)
                result.pages += drawn
        result.printed = result.pages
        if not chunks:  # an empty PDF is not valid: one page says why nothing was printed
            path = Path(folder) / "nothing.pdf"
            reasons = tuple(f"{failure['serial']}: {failure['error']}" for failure in result.failures[:30])
            path.write_bytes(layout.render([layout.Paper(title=_("Nothing to print"), paragraphs=reasons)]))
            chunks.append(path)
        merge.concatenate(chunks, out, title=_("Certificates"))
    return result


def _papers(user: User, ids: list[int], result: BatchResult):
    """The papers of one chunk, in order, lazily; None for one that cannot be printed (listed in
    `result.failures` with the reason)."""
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
                yield paper
                continue
        serial = certificate.licence_number if certificate else f"#{pk}"
        result.failures.append({"serial": serial, "error": str(problem)})
        yield None


def _problem(certificate: Certificate | None, allowed: set[int]) -> str | None:
    if certificate is None:
        return _("no such certificate")
    if certificate.revoked_at is not None:
        return _("revoked on %(day)s") % {"day": timezone.localdate(certificate.revoked_at)}
    if certificate.pk not in allowed:
        return _("outside your jurisdiction")
    return None
