"""The API's errors: a stable `code`, the message in Chinese and in English, and an HTTP status.

Every error body is `{"code": "...", "message": "中文", "message_en": "English"}`, with
`details` for invalid input (which field, what is wrong). Messages are English msgids
translated by the catalog, rendered in both languages whatever the request's language.
"""

from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

ZH = "zh-hans"
EN = "en"


def both(message: Any) -> tuple[str, str]:
    """(Chinese, English) of a lazy message, or of a function returning one."""
    texts = []
    for language in (ZH, EN):
        with translation.override(language):
            texts.append(str(message() if callable(message) else message))
    return texts[0], texts[1]


class ApiError(Exception):
    """Raised anywhere below an endpoint; answered as JSON by `v1.error_response`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: Any,
        *,
        details: list | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(code)
        self.status, self.code, self.details, self.headers = status, code, details, headers or {}
        self.message, self.message_en = both(message)

    def body(self) -> dict:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "message_en": self.message_en}
        if self.details:
            body["details"] = self.details
        return body


def api_error(status: int, code: str, message: Callable[[], Any] | Any, **kwargs) -> ApiError:
    return ApiError(status, code, message, **kwargs)


NEEDS_KEY = _("An API key is needed: send the header Authorization: Bearer <key>.")
BAD_KEY = _("This API key is not valid: it is wrong, revoked or expired, or its client is inactive.")
NOT_FOUND = _("Nothing here matches, or it lies outside this client's jurisdiction.")
BAD_CURSOR = _("The cursor is not one this API gave out. Start again without it.")
INVALID = _("Some of the request is not valid: see details.")
SERVER = _("Something went wrong on our side. Try again later.")


def missing_scope(scope: str) -> ApiError:
    message = _("This client has not been given the scope %(scope)s.")
    return ApiError(403, "scope_missing", lambda: message % {"scope": scope})


def not_found() -> ApiError:
    return ApiError(404, "not_found", NOT_FOUND)


def rate_limited(message: Callable[[], Any] | Any, retry_after: int) -> ApiError:
    return ApiError(429, "rate_limited", message, headers={"Retry-After": str(retry_after)})
