"""Background jobs of the people app (django-tasks): clearing expired sessions, and the mail
sent for accounts.

Django never deletes a session row by itself: an expired one stays in the table (and so in every
night's backup) until `clearsessions` runs. docs/deploy.md schedules `manage.py clearsessions`
from cron next to the other periodic jobs; `expired_sessions_clear_task` does the same from a worker.

Mail sent for accounts (reset links, contact-change confirmations and notices) leaves from a
background worker, not from the request: the page answers in the same time whether or not an
account matched and a mail went out, and a slow mail relay holds up no one.
"""

import datetime

from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task


def expired_sessions_clear(*, now: datetime.datetime | None = None) -> int:
    """Delete the sessions that expired before `now`; returns how many. Housekeeping with no
    permission to check: it runs as the system, and an expired session opens nothing. Like
    `clearsessions`, it writes no audit entry: it changes nothing a person did."""
    with transaction.atomic():
        deleted, _ = Session.objects.filter(expire_date__lt=now or timezone.now()).delete()
    return deleted


@task()
def expired_sessions_clear_task() -> int:
    """Run `expired_sessions_clear`; the count is the task's result."""
    return expired_sessions_clear()


@task()
def account_mail_send(*, subject: str, body: str, address: str) -> None:
    """One plain-text mail; a failure is the task's, retried or seen in the task list."""
    send_mail(subject, body, None, [address])


def account_mail_enqueue(*, subject: str, body: str, address: str) -> None:
    """Queue the mail once the caller's transaction commits (nothing if it rolls back)."""
    subject, body = str(subject), str(body)
    transaction.on_commit(lambda: account_mail_send.enqueue(subject=subject, body=body, address=address))
