"""Which ledger event tells whom what: short texts queued in the outbox in the event's transaction.

The villager gets a text on the mobile they gave: the number when it is registered (keep it:
it opens the tracking page), the promise when someone takes it on, and the request to confirm
when it is marked done. The staff member a promise names hears of it, and of a villager's
"not done". The outbox sends later and never twice; a rolled-back change queues nothing.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.outbox.services import message_queue
from portal.web.site import site_url

from .states import Act


def _villager_text(item, event) -> str | None:
    texts = {
        Act.REGISTER: _(
            "[村办] Your request has been registered as %(number)s. Keep this number: with it and the "
            "last 4 digits of this mobile you can follow it at %(url)s."
        ),
        Act.ASSIGN: _("[村办] Your request %(number)s has been taken on: %(promise)s, promised by %(date)s."),
        Act.CLAIM: _("[村办] Your request %(number)s has been taken on: %(promise)s, promised by %(date)s."),
        Act.MARK_DONE: _(
            "[村办] Your request %(number)s is done. Please confirm it at %(url)s (number and the last 4 "
            "digits of this mobile), or tell your village assistant if it is not done."
        ),
    }
    text = texts.get(event.act)
    if text is None:
        return None
    return text % _values(item, event)


def _values(item, event) -> dict[str, object]:
    """The values the texts are written from: also the SMS templates' parameters."""
    return {
        "number": item.number,
        "village": item.village.name,
        "promise": item.promise[:120],
        "date": item.promised_on or "-",
        "comment": event.comment[:200],
        "url": site_url(reverse("promises:track")),
    }


def _staff_text(item, event):
    """(user, text) for the staff member the promise names, or None."""
    if item.assignee_id is None or event.actor_id == item.assignee_id:
        return None
    if event.act == Act.ASSIGN:
        text = _("[村办] You have been given %(number)s (%(village)s): %(promise)s, promised by %(date)s.")
    elif event.act in (Act.NOT_DONE, Act.RECORD_NOT_DONE):
        text = _("[村办] The villager says %(number)s is not done: %(comment)s")
    else:
        return None
    return item.assignee, text % (_values(item, event) | {"date": item.promised_on})


def queue_for(item, event) -> None:
    """Queue the messages an event causes (within the caller's transaction)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _villager_text(item, event)
        if text and item.villager_mobile:
            message_queue(
                to_mobile=item.villager_mobile,
                body=text,
                topic=f"ledger-{event.act.replace('_', '-')}",
                reference=item.number,
                dedupe_key=f"ledger-event:{event.pk}:villager",
                params=_values(item, event),
            )
        staff = _staff_text(item, event)
        if staff is not None:
            user, body = staff
            message_queue(
                to_mobile=user.mobile or "",
                to_user=user,
                body=body,
                topic=f"ledger-{event.act.replace('_', '-')}",
                reference=item.number,
                dedupe_key=f"ledger-event:{event.pk}:staff",
                params=_values(item, event),
            )
