"""An application's status for a partner: by a client with applications:read-status (only
within its office's jurisdiction; outside, the same 404 as an unknown number), or without a
key by the number and the last 4 digits, exactly as the public tracking page allows
(`approvals.tracking.tracking_lookup`: the same limits, the same refusals).

Never the ID number, the mobile or a staff member's name: the state, the public timeline in
the villager's words, the dates and the certificate's status."""

from django.utils import timezone, translation
from ninja import Router

from approvals import selectors as application_selectors
from approvals.models import Application
from approvals.tracking import (
    LooksLikeIdNumber,
    TrackingRefused,
    id_number_refusal,
    no_match_refusal,
    paused_refusal,
    tracking_lookup,
)
from approvals.views.tracking import HIDDEN_ACTS, public_state_text, public_step_text
from certificates.selectors import certificates_for_villager
from portal.throttle import limits
from portal.throttle.client_address import client_address

from .. import schemas
from ..auth import ClientAuth, caller
from ..errors import EN, ZH, ApiError, not_found
from ..scopes import Scope
from ..selectors import application_for_client

router = Router(tags=["applications"])


def _in(language: str, function, *args) -> str:
    with translation.override(language):
        text = function(*args)
    return "" if text is None else str(text)


def _certificate(certificate) -> dict:
    if certificate.revoked_at is not None:
        status = "revoked"
    elif certificate.handed_over_on is not None:
        status = "handed_over"
    else:
        status = "in_force"
    return {
        "serial": certificate.licence_number,
        "name": certificate.licence_type_name,
        "status": status,
        "issued_on": certificate.issued_on,
        "valid_until": certificate.valid_until,
        "handed_over_on": certificate.handed_over_on,
    }


def status_of(application: Application) -> dict:
    """The public status: what the tracking page shows, without the villager's details."""
    certificates = certificates_for_villager(application)
    timeline = []
    for event in application_selectors.timeline(application, with_people=False):
        if event.act in HIDDEN_ACTS:
            continue
        text = _in(ZH, public_step_text, event, application)
        if not text:
            continue
        timeline.append(
            {
                "at": timezone.localtime(event.at),
                "act": event.act,
                "text": text,
                "text_en": _in(EN, public_step_text, event, application),
            }
        )
    office = application.current_office or application.handling_office
    return {
        "number": application.number,
        "item_code": application.item.item_code if application.item_id else "",
        "item_title": application.item_title,
        "state": application.state,
        "state_label": _in(EN, application.get_state_display),
        "status_text": _in(ZH, public_state_text, application, certificates),
        "status_text_en": _in(EN, public_state_text, application, certificates),
        "handling_office": office.name if office is not None else "",
        "submitted_at": timezone.localtime(application.submitted_at) if application.submitted_at else None,
        "received_on": application.received_on,
        "accept_by": application.accept_by,
        "accepted_on": application.accepted_on,
        "due_on": application.due_on,
        "on_hold": application.paused_since is not None,
        "timeline": timeline,
        "certificates": [_certificate(c) for c in certificates],
    }


@router.get(
    "/{number}/status",
    response={200: schemas.ApplicationStatus, **schemas.ERRORS},
    auth=ClientAuth(Scope.APPLICATIONS_READ_STATUS),
    url_name="application_status",
)
def application_status(request, number: str):
    """The status of an application within the client's jurisdiction (scope
    applications:read-status). Unknown and outside numbers get the same 404."""
    application = application_for_client(request.auth, number)
    if application is None:
        raise not_found()
    return status_of(application)


def _tracking_error(refusal: TrackingRefused) -> ApiError:
    """The tracking page's own refusal, in both languages, with a status for machines."""
    if isinstance(refusal, LooksLikeIdNumber):
        return ApiError(400, "id_number", id_number_refusal)
    said = str(refusal)
    candidates = [
        no_match_refusal,
        paused_refusal,
        lambda: limits.TRACKING_PER_CLIENT.refusal(0),
        lambda: limits.TRACKING_PER_NUMBER_DAY.refusal(0),
    ]
    for candidate in candidates:
        if str(candidate()) == said:
            status = 404 if candidate is no_match_refusal else 429
            return ApiError(status, "tracking_refused", candidate)
    return ApiError(404, "tracking_refused", lambda: said)


@router.post(
    "/{number}/status",
    response={200: schemas.ApplicationStatus, **schemas.ERRORS},
    url_name="application_status_lookup",
)
def application_status_lookup(request, number: str, proof: schemas.TrackingProof):
    """The status without a key, by the number and the last 4 digits of the villager's ID number
    or mobile (in the body, never in the address), as the public tracking page allows: the
    same limits on guessing, the same answers for numbers that exist and that do not."""
    caller(request)
    try:
        application = tracking_lookup(number=number, last4=proof.last4, address=client_address(request))
    except TrackingRefused as refusal:
        raise _tracking_error(refusal) from None
    application = Application.objects.select_related("current_office", "handling_office", "item").get(
        pk=application.pk
    )
    return status_of(application)
