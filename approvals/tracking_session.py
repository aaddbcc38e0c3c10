"""The villager's proof, kept in this browser's session: which applications it has looked up
successfully (number and last 4 digits, or a texted code), this browser's random name for texted
codes, and which lookups came from a paper's QR code.

Public so that every page open to the villager on the same proof (the tracking pages, the rating
form, the ledger's confirmation) asks the same questions; none of them reads these session keys
by itself.
"""

import secrets

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .models import Application
from .tracking import contains_id_number

SESSION_KEY = "tracking_allowed"
"""The pks of applications this browser has looked up successfully, newest last."""
SESSION_LIMIT = 10
BROWSER_KEY = "tracking_browser"
"""A random value naming this browser: a texted code opens the page only where it was asked for."""
QR_SESSION_KEY = "tracking_via_qr"
"""The pks of applications looked up from a paper's QR code (a rating given then says so)."""


def allowed_ids(session) -> list[int]:
    """The applications this browser has proved it may see, oldest first."""
    value = session.get(SESSION_KEY)
    if not isinstance(value, list):
        return []
    return [pk for pk in value if isinstance(pk, int)]


def allow(session, pk: int) -> None:
    """Remember a successful lookup; only the newest SESSION_LIMIT are kept."""
    allowed = [other for other in allowed_ids(session) if other != pk] + [pk]
    session[SESSION_KEY] = allowed[-SESSION_LIMIT:]


def browser_value(session) -> str:
    """This browser's random value (made on first use): a texted code opens a page only here."""
    value = session.get(BROWSER_KEY)
    if not isinstance(value, str) or len(value) < 16:
        value = secrets.token_urlsafe(24)
        session[BROWSER_KEY] = value
    return value


def remember_qr(session, application_pk: int) -> None:
    """The tracking form was reached from a paper's QR code for this application."""
    seen = [pk for pk in session.get(QR_SESSION_KEY) or [] if isinstance(pk, int) and pk != application_pk]
    session[QR_SESSION_KEY] = (seen + [application_pk])[-10:]


def came_by_qr(session, application_pk: int) -> bool:
    return application_pk in (session.get(QR_SESSION_KEY) or [])


def tracked_application(session, number: str) -> Application | None:
    """The application with this number, if this browser proved who it is for; else None."""
    allowed = allowed_ids(session)
    if not allowed:
        return None
    return (
        Application.objects.filter(number=number, pk__in=allowed)
        .select_related("current_office", "village", "resident")
        .defer("resident__id_number", "request_note")  # never decrypted for this page
        .first()
    )


def to_tracking_form(number: str) -> HttpResponseRedirect:
    """Back to the tracking form (with the number filled in) when this browser lacks the proof."""
    if contains_id_number(number):
        return redirect("tracking:form")
    return HttpResponseRedirect(reverse("tracking:form") + "?" + urlencode({"number": number}))
