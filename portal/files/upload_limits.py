"""Friendly answers to uploads that are too many or too large.

Too large (issue 18, gap 12d): `SizeLimitUploadHandler` stops keeping a file the moment it passes
the per-file limit (`uploads.max_upload_bytes`), and keeps no file at all of a request whose
Content-Length is over the ceiling (`max_request_bytes`), instead of storing 50 MB and refusing
it afterwards. It never resets the connection: the browser would show "connection reset" and
the typed fields would be lost. The rest of the body is read and dropped (the price of an
answer the user can read), the text fields are kept, and each refused file reaches the form as
a `RefusedUpload` that the project's forms turn into an error next to its field
(`portal.web.forms`), so the page comes back with what was typed and says which file was too
large and why. The client-side check (static/js/upload-size.js) usually stops such a send
before it starts; this is the check that holds without JavaScript.

Too many: a form that sends more files than Django will parse (DATA_UPLOAD_MAX_NUMBER_FILES).

Django stops reading such a request with TooManyFilesSent, which ends as a bare "400 Bad Request"
page: the assistant who picked a whole folder of photos learns nothing. The body is streamed, so
once parsing stops nothing of the request can be recovered (not even the CSRF token); the kindest
correct answer is to send the browser back to the same page (a GET) with a message that says how
many files one send may hold and that nothing was saved. This runs before CsrfViewMiddleware,
which is the first to read request.POST.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .uploads import max_upload_bytes

DEFAULT_MAX_NUMBER_FILES = 100
DEFAULT_REQUEST_FILES = 4
"""Without CUNBAN_UPLOAD_MAX_REQUEST_BYTES, one send may hold this many files of the full size."""
UNLIMITED_PATHS = ("/admin/",)
"""The back office (Wagtail) keeps its own limits (WAGTAILDOCS_MAX_UPLOAD_SIZE …)."""


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


# -- too large ----------------------------------------------------------------------------------


def max_file_bytes() -> int:
    """The per-file limit: the one `uploads.check_upload` applies after the upload."""
    return max_upload_bytes()


def max_request_bytes() -> int:
    """The ceiling for one whole request's body (all its files and fields)."""
    configured = getattr(settings, "CUNBAN_UPLOAD_MAX_REQUEST_BYTES", None)
    return int(configured) if configured else DEFAULT_REQUEST_FILES * max_file_bytes()


class RefusedUpload(UploadedFile):
    """A file that was not kept because it was too large: empty, with the reason to show."""

    def __init__(self, *, name: str, reason: str, seen: int, content_type: str = "") -> None:
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=seen)
        self.reason = reason


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: drops a file's data as soon as it is too large (or every
    file of a request over the ceiling) and hands the form a `RefusedUpload` instead.

    Later handlers receive a refused file's first chunks (up to the limit) and nothing after; the
    parser asks this handler first when the file ends, so they are never asked for it."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.applies = not (request is not None and request.path.startswith(UNLIMITED_PATHS))
        self.whole_too_large: int | None = None
        self.refused = ""
        self.seen = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if self.applies and content_length and content_length > max_request_bytes():
            self.whole_too_large = content_length
        return None  # the parser goes on: the text fields and the CSRF token are still wanted

    def new_file(
        self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None
    ):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.seen, self.refused = 0, ""
        if not self.applies:
            return
        if self.whole_too_large is not None:
            self.refused = _(
                "Everything sent at once came to %(size)s, more than %(limit)s: no file was kept. "
                "Choose the files again and send them in smaller groups (save after each)."
            ) % {"size": filesizeformat(self.whole_too_large), "limit": filesizeformat(max_request_bytes())}
        elif content_length is not None and content_length > max_file_bytes():
            self.refused = self._too_large()
        if self.refused:
            raise StopFutureHandlers  # nobody else starts keeping it

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.applies:
            return raw_data
        if self.refused:
            self.seen += len(raw_data)
            return None
        self.seen += len(raw_data)
        if self.seen > max_file_bytes():
            self.refused = self._too_large()
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.refused:
            return None
        return RefusedUpload(
            name=self.file_name or "",
            reason=self.refused,
            seen=self.seen,
            content_type=self.content_type or "",
        )

    def _too_large(self) -> str:
        return _(
            "“%(name)s” is larger than %(limit)s and was not kept. Choose a smaller file: a photo "
            "taken with the phone, or a scan at a lower resolution."
        ) % {"name": self.file_name, "limit": filesizeformat(max_file_bytes())}
