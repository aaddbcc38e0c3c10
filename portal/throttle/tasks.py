"""Background task of the throttle: a thin wrapper around `services.attempts_prune`, for a site
that runs its daily jobs on the task queue instead of cron (`manage.py prune_throttle_attempts`)."""

from django_tasks import task

from . import services


@task()
def attempts_prune_task() -> int:
    """Run `attempts_prune`; the count is the task's result."""
    return services.attempts_prune()
