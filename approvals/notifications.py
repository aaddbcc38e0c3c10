"""Which event tells whom what: short Chinese texts queued in the outbox in the event's transaction.

Villagers get a text message on the mobile the assistant recorded; the assistant who filed and
the handling clerk get theirs as staff messages. The outbox (`portal.outbox`) sends later and
never twice; a rolled-back action queues nothing.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from portal.outbox.services import message_queue
from portal.web.site import site_url
from portal.workdays.provisional import with_provisional_note

from . import deadlines
from .policies import FILE, application_policy
from .states import Act

TRACK_PATH = "/track/"

# Acts whose message gives a deadline: it says when the deadline is provisional.
DATED_ACTS = frozenset({Act.ACCEPT, Act.ACCEPT_WITH_PROMISE, Act.DEEM_ACCEPTED, Act.DEADLINE_MOVED})


def _site() -> str:
    return site_url()


def _villager_text(application, event) -> str | None:
    ref = application.number
    texts = {
        Act.SUBMIT: _(
            "[村办] Your application %(ref)s for %(item)s has been submitted to %(office)s. "
            "Track it at %(url)s with the number and the last 4 digits of your ID or mobile."
        ),
        Act.RETURN: _(
            "[村办] Application %(ref)s needs more materials. Your village assistant has the one-time "
            "notice listing everything needed. Questions: %(phone)s."
        ),
        Act.ACCEPT: _("[村办] Application %(ref)s has been accepted. Promised by %(due)s."),
        Act.ACCEPT_WITH_PROMISE: _(
            "[村办] Application %(ref)s has been accepted; the promised materials are due as listed "
            "in the notice. Promised by %(due)s."
        ),
        Act.DEEM_ACCEPTED: _("[村办] Application %(ref)s counts as accepted. Promised by %(due)s."),
        Act.APPROVE: _(
            "[村办] Application %(ref)s for %(item)s has been approved. Your assistant will bring the result."
        ),
        Act.REJECT: _(
            "[村办] Application %(ref)s for %(item)s was not approved. Your assistant will explain the "
            "reasons and how to appeal. Questions: %(phone)s."
        ),
        Act.TERMINATE: _("[村办] Application %(ref)s was terminated: promised materials were not handed in."),
        Act.WITHDRAW: _("[村办] Application %(ref)s has been withdrawn."),
        Act.REVOKE_CERTIFICATE: _(
            "[村办] Certificate %(serial)s of application %(ref)s has been revoked and is no longer valid. "
            "Your assistant will tell you what happens next. Questions: %(phone)s."
        ),
    }
    texts[Act.SECOND_RETURN] = texts[Act.RETURN]
    moved = (event.data or {}) if event.act == Act.DEADLINE_MOVED else {}
    if "due_on" in moved:
        texts[Act.DEADLINE_MOVED] = _(
            "[村办] The holiday calendar moved the date of application %(ref)s: now promised by %(due)s."
        )
    elif "accept_by" in moved:
        texts[Act.DEADLINE_MOVED] = _(
            "[村办] The holiday calendar moved the date of application %(ref)s: the centre now accepts "
            "or returns it by %(accept_by)s."
        )
    text = texts.get(event.act)
    if text is None or not ref:
        return None
    if event.act in DATED_ACTS:
        text = with_provisional_note(text, deadlines.application_provisional_note(application))
    return text % _villager_params(application, event)


def _villager_params(application, event) -> dict[str, object]:
    """The values a villager's text is written from: also the SMS template's parameters."""
    office = application.current_office
    return {
        "ref": application.number,
        "item": application.item_title,
        "office": office.short_name if office else "",
        "phone": (office.phone if office else "") or "-",
        "due": application.due_on or "-",
        "url": _site() + TRACK_PATH,
        "serial": (event.data or {}).get("serial", ""),
        "accept_by": application.accept_by or "-",
    }


def _staff_text(application, event) -> tuple[object, str] | None:
    """A message for the filing assistant when the centre acts, and for the clerk when the
    assistant acts."""
    ref = application.number
    if event.act in (
        Act.RETURN,
        Act.SECOND_RETURN,
        Act.APPROVE,
        Act.REJECT,
        Act.TERMINATE,
        Act.REVOKE_CERTIFICATE,
    ):
        return application.filed_by, _("[村办] %(ref)s (%(name)s): %(act)s.") % {
            "ref": ref,
            "name": application.applicant_name,
            "act": Act(event.act).label,
        }
    if event.act in (Act.RESUBMIT, Act.SUPPLY, Act.REASSIGN, Act.FORWARD) and application.assignee_id:
        return application.assignee, _("[村办] %(ref)s: %(act)s.") % {"ref": ref, "act": Act(event.act).label}
    return None


def queue_for(application, event) -> None:
    """Queue the messages an event causes (within the caller's transaction)."""
    if not application.number:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _villager_text(application, event)
        if text and application.applicant_mobile:
            message_queue(
                to_mobile=application.applicant_mobile,
                body=text,
                topic=event.act,
                reference=application.number,
                dedupe_key=f"event:{event.pk}:villager",
                params=_villager_params(application, event),
            )
        staff = _staff_text(application, event)
        if staff is not None:
            user, body = staff
            message_queue(
                to_mobile=user.mobile or "",
                to_user=user,
                body=body,
                topic=event.act,
                reference=application.number,
                dedupe_key=f"event:{event.pk}:staff",
                params={"name": application.applicant_name, "act": Act(event.act).label},
            )


def queue_handed_in(application, event) -> None:
    """网上申请: tell the assistants of the station that a villager handed in a draft to take."""
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "[村办] %(name)s applied online for %(item)s and handed it to your station. Check it and "
            "take it on your station's page."
        ) % {"name": application.applicant_name, "item": application.item_title}
    for user in application_policy.users_with_permission_for_instance(FILE, application):
        if user.mobile or user.email:
            message_queue(
                to_mobile=user.mobile or "",
                to_user=user,
                body=body,
                topic="villager-handed-in",
                dedupe_key=f"event:{event.pk}:staff:{user.pk}",
            )


def queue_deadline_alert(application, alert: str, recipients, *, note: str = "") -> None:
    """Once per state and alert (the dedupe key): a sweep that runs every hour sends one message."""
    key_base = (
        f"alert:{application.pk}:{alert}:{application.state}:{application.state_changed_at:%Y%m%d%H%M%S%f}"
    )
    with translation.override(settings.LANGUAGE_CODE):
        if alert == "overdue":
            body = _("[村办] Overdue: %(ref)s %(item)s was due on %(due)s.")
        else:
            body = _("[村办] Due soon: %(ref)s %(item)s is due on %(due)s.")
        body = body % {"ref": application.number, "item": application.item_title, "due": application.due_on}
        body = with_provisional_note(body, note)
        for user in recipients:
            message_queue(
                to_mobile=user.mobile or "",
                to_user=user,
                body=body,
                topic=alert,
                reference=application.number,
                dedupe_key=f"{key_base}:{user.pk}",
                params={"item": application.item_title, "due": application.due_on},
            )
