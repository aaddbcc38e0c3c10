"""A friendly answer when a form sends more files than Django will parse (DATA_UPLOAD_MAX_NUMBER_FILES).

Django stops reading such a request with TooManyFilesSent, which ends as a bare "400 Bad Request"
page: the assistant who picked a whole folder of photos learns nothing. The body is streamed, so
once parsing stops nothing of the request can be recovered (not even the CSRF token); the kindest
correct answer is to send the browser back to the same page (a GET) with a message that says how
many files one send may hold and that nothing was saved. This runs before CsrfViewMiddleware,
which is the first to read request.POST.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

DEFAULT_MAX_NUMBER_FILES = 100


def max_number_files() -> int:
    """Django's own limit, read at call time so a deployment or a test can change it."""
    limit = getattr(settings, "DATA_UPLOAD_MAX_NUMBER_FILES", DEFAULT_MAX_NUMBER_FILES)
    return DEFAULT_MAX_NUMBER_FILES if limit is None else int(limit)


class TooManyFilesMiddleware:
    """Turns TooManyFilesSent on a multipart POST into a redirect back with a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if request.method != "POST" or not request.content_type.startswith("multipart/"):
            return None
        try:
            request.POST  # noqa: B018 - parse now, while the error can still be answered kindly
        except TooManyFilesSent:
            messages.error(
                request,
                _(
                    "Too many files were sent at once: one send can hold at most %(limit)d files. "
                    "Nothing was saved. Choose fewer files and send again."
                )
                % {"limit": max_number_files()},
            )
            return HttpResponseRedirect(request.get_full_path())
        return None
