"""Open311 GeoReport v2 over the requests ledger, for 12345 hotline systems (JSON only).

| path | method | key | what |
|---|---|---|---|
| `/open311/v2/services.json` | GET | optional | the ledger's kinds (need 民情, wish 微心愿) as services |
| `/open311/v2/requests.json` | POST | requests:write | a hotline work order: lands in the ledger (`ledger.hotline`) |
| `/open311/v2/requests.json` | GET | requests:write | the client's own orders: service_code, status, start_date, end_date |
| `/open311/v2/requests/<id>.json` | GET | requests:write | one of them |

The key is `Authorization: Bearer <key>` (api.auth: limits, audit), never a URL parameter. Any
other format (`.xml`) is a 400. Errors are Open311's: a JSON array of `{"code", "description"}`.

What a hotline may do stops at the ledger's door: it registers a request and reads its status.
Assigning, marking done and closing are the township's and the villager's steps (ledger.services);
no endpoint here changes an item, and an item is closed only on the villager's word.
"""

import datetime
import json
import uuid
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ledger import hotline, selectors
from ledger.models import HotlineOrder, Kind
from portal.errors import DomainError

from . import errors
from .auth import ClientAuth, caller
from .models import ApiClient
from .scopes import Scope

LIST_DEFAULT_DAYS = 90
LIST_MOST = 1000


def sender_of(client: ApiClient) -> str:
    """The ledger's name for a client's orders (idempotence is per sender and reference)."""
    return f"api-client:{client.pk}"


def _errors(status: int, description: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse([{"code": status, "description": str(description)}], status=status, safe=False)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _from_api_error(error: errors.ApiError) -> JsonResponse:
    return _errors(error.status, f"{error.message} ({error.message_en})", error.headers)


def open311_view(view: Callable) -> Callable:
    """JSON only; the API's errors (a missing key, a limit) in Open311's shape; never a 500 for
    input."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
        if fmt != "json":
            return _errors(400, _("Only the JSON format is offered: use .json."))
        try:
            return view(request, *args, **kwargs)
        except errors.ApiError as error:
            return _from_api_error(error)

    return wrapper


def _client(request: HttpRequest) -> ApiClient:
    return ClientAuth(Scope.REQUESTS_WRITE)(request)


# -- services ------------------------------------------------------------------------------------


@open311_view
def services(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return _errors(405, _("Use GET."))
    caller(request)
    descriptions = {
        Kind.NEED: _("A villager's need or problem, answered by the township with a promise."),
        Kind.WISH: _("A villager's small wish, taken on by staff, a volunteer or an organisation."),
    }
    return JsonResponse(
        [
            {
                "service_code": kind.value,
                "service_name": str(kind.label),
                "description": str(descriptions[kind]),
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": "ledger",
            }
            for kind in Kind
        ],
        safe=False,
    )


# -- requests ------------------------------------------------------------------------------------


def _iso(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def represent(order: HotlineOrder) -> dict:
    """One request as Open311 shows it, plus the hotline's reference and the ledger number."""
    status = selectors.hotline_status(order)
    return {
        "service_request_id": str(order.public_id),
        "status": status.status,
        "status_notes": status.status_notes,
        "service_name": str(Kind(order.kind).label),
        "service_code": order.kind,
        "description": order.need,
        "agency_responsible": status.agency_responsible,
        "service_notice": status.service_notice,
        "requested_datetime": _iso(order.received_at),
        "updated_datetime": _iso(status.updated_at),
        "expected_datetime": _iso(status.expected_at),
        "address": order.address,
        "address_id": order.region.code,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
        "hotline_reference": order.reference,
        "ledger_number": status.number or None,
    }


def _fields(request: HttpRequest) -> dict[str, str]:
    """The POST's fields, form-encoded as Open311 says, or a JSON object."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            raise DomainError(_("The body is not valid JSON.")) from error
        if not isinstance(data, dict):
            raise DomainError(_("The body must be a JSON object."))
        given = data.get("attribute")
        attributes: dict = given if isinstance(given, dict) else {}
        flat = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
        flat.update({f"attribute[{k}]": v for k, v in attributes.items()})
        return {k: "" if v is None else str(v) for k, v in flat.items()}
    return {key: request.POST.get(key, "") for key in request.POST}


def _post(request: HttpRequest, client: ApiClient) -> HttpResponse:
    fields = _fields(request)
    code = fields.get("service_code", "")
    if code not in Kind.values:
        return _errors(400, _("service_code must be one of: %(codes)s.") % {"codes": ", ".join(Kind.values)})
    name = (fields.get("last_name", "") + fields.get("first_name", "")).strip() or fields.get("name", "")
    order, created = hotline.ledger_item_from_hotline(
        sender=sender_of(client),
        reference=fields.get("attribute[hotline_reference]") or fields.get("hotline_reference", ""),
        within=client.office.region,
        villager_name=name,
        villager_mobile=fields.get("phone", ""),
        need=fields.get("description", ""),
        kind=code,
        region_code=fields.get("address_id", ""),
        address=fields.get("address_string", ""),
    )
    status = selectors.hotline_status(order)
    body = [
        {
            "service_request_id": str(order.public_id),
            "service_notice": status.service_notice or status.status_notes,
            "account_id": None,
            "hotline_reference": order.reference,
            "ledger_number": status.number or None,
        }
    ]
    return JsonResponse(body, status=201 if created else 200, safe=False)


def _date_param(request: HttpRequest, name: str) -> datetime.datetime | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    parsed = parse_datetime(value.replace(" ", "+"))
    if parsed is None:
        raise DomainError(
            _("%(name)s must be a W3C date and time, e.g. 2026-12-07T10:00:00+08:00.") % {"name": name}
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _list(request: HttpRequest, client: ApiClient) -> HttpResponse:
    code = request.GET.get("service_code", "")
    status = request.GET.get("status", "")
    if code and code not in Kind.values:
        return _errors(400, _("service_code must be one of: %(codes)s.") % {"codes": ", ".join(Kind.values)})
    if status not in ("", selectors.OPEN311_OPEN, selectors.OPEN311_CLOSED):
        return _errors(400, _("status must be open or closed."))
    start, end = _date_param(request, "start_date"), _date_param(request, "end_date")
    if start is None and end is None:
        start = timezone.now() - datetime.timedelta(days=LIST_DEFAULT_DAYS)
    orders = selectors.hotline_orders_of(
        sender_of(client), kind=code, status=status, received_from=start, received_to=end
    )
    ids = [part.strip() for part in request.GET.get("service_request_id", "").split(",") if part.strip()]
    if ids:
        orders = orders.filter(public_id__in=[i for i in ids if _is_uuid(i)])
    return JsonResponse([represent(order) for order in orders[:LIST_MOST]], safe=False)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@open311_view
def requests(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return _errors(405, _("Use GET or POST."))
    client = _client(request)
    try:
        return _post(request, client) if request.method == "POST" else _list(request, client)
    except DomainError as error:
        return _errors(400, str(error))


@open311_view
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    if request.method != "GET":
        return _errors(405, _("Use GET."))
    client = _client(request)
    order = (
        selectors.hotline_orders_of(sender_of(client)).filter(public_id=request_id).first()
        if _is_uuid(request_id)
        else None
    )
    if order is None:  # another client's, or none: the same answer
        return _errors(404, str(errors.NOT_FOUND))
    return JsonResponse([represent(order)], safe=False)
