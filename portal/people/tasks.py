"""Background jobs of the people app (django-tasks): clearing expired sessions.

Django never deletes a session row by itself: an expired one stays in the table (and so in every
night's backup) until `clearsessions` runs. docs/deploy.md schedules `manage.py clearsessions`
from cron next to the other periodic jobs; this task does the same from a worker.
"""

import datetime

from django.contrib.sessions.models import Session
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
