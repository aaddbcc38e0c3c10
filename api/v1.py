"""Version 1 of the JSON API: its routers, its error answers and its OpenAPI document.

django-ninja builds the OpenAPI 3 document from the endpoints' type hints and schemas
(`/api/v1/openapi.json`); `api.views.docs` renders it as a page without JavaScript. Every error,
including ninja's own (invalid input, a missing route, an unexpected failure), is answered as
`api.errors.ApiError` JSON."""

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from approvals.tracking import contains_id_number

from . import errors
from .endpoints.applications import router as applications_router
from .endpoints.catalogue import router as catalogue_router
from .endpoints.ratings import router as ratings_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Cunban API",
    version="1",
    description=(
        "The county portal's machine interface: the service catalogue (public), applications' status "
        "(key with applications:read-status, or the number and the last 4 digits), ratings (好差评: key "
        "with ratings:read, changes since a time for a provincial platform's sync). Errors are "
        '`{"code", "message" (中文), "message_en"}`. See docs/api.md.'
    ),
    urls_namespace="api-v1",
    docs_url=None,
    openapi_url="/openapi.json",
)
api.add_router("/catalogue", catalogue_router)
api.add_router("/applications", applications_router)
api.add_router("/ratings", ratings_router)


def error_response(request, error: errors.ApiError):
    response = api.create_response(request, error.body(), status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    if contains_id_number(request.path):
        # Django logs the path of every 4xx answer; an ID number typed where the application
        # number goes must not reach the logs (the tracking page redirects it away instead).
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@api.exception_handler(errors.ApiError)
def _api_error(request, error: errors.ApiError):
    return error_response(request, error)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, error):
    return error_response(
        request,
        errors.ApiError(401, "unauthorized", errors.NEEDS_KEY, headers={"WWW-Authenticate": "Bearer"}),
    )


@api.exception_handler(ValidationError)
def _invalid(request, error: ValidationError):
    details = [
        {"where": [str(part) for part in item.get("loc", ())], "problem": str(item.get("msg", ""))}
        for item in error.errors
    ]
    return error_response(request, errors.ApiError(422, "invalid", errors.INVALID, details=details))


@api.exception_handler(Http404)
def _not_found(request, error):
    return error_response(request, errors.not_found())


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    if error.status_code == 404:
        return error_response(request, errors.not_found())
    return error_response(request, errors.ApiError(error.status_code, "bad_request", errors.INVALID))


@api.exception_handler(Exception)
def _unexpected(request, error):
    logger.exception("API call failed: %s %s", request.method, request.path)
    return error_response(request, errors.ApiError(500, "server_error", errors.SERVER))
