"""How a printed paper leaves the site: as a PDF response nobody caches."""

from urllib.parse import quote

from django.http import HttpResponse


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """A PDF for the browser's viewer (so it prints at once), never cached by anyone."""
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"paper.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
