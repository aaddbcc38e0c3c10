"""Background jobs of the approvals app (django-tasks, database backend in production)."""

from django_tasks import task

from .reminders import deadlines_recompute, deadlines_sweep


@task()
def deadlines_sweep_task() -> dict:
    """The hourly deadline sweep; returns the counts for the task's result."""
    report = deadlines_sweep()
    return {
        "deemed_accepted": report.deemed_accepted,
        "terminated": report.terminated,
        "due_soon": report.due_soon,
        "overdue": report.overdue,
        "rectifications_overdue": report.rectifications_overdue,
    }


@task()
def deadlines_recompute_task() -> int:
    """Move open deadlines after an administrator changed the work calendar."""
    return deadlines_recompute()
