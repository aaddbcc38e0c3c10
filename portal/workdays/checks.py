"""System check `workdays.W001`: a year that should have a confirmed work calendar has none.

Until a county administrator confirms a year against the State Council's holiday notice, its
working-day deadlines are provisional. The check warns for the current year, and for the next
one from `CALENDAR_WARNING_DAYS` days before it begins (the notice comes out in October or
November), naming the year and how to enter it. It asks the same selector as the back-office
home panel.

It reads the database, yet it runs in plain `manage.py check` (and so in `runserver`, `migrate`
and `check --deploy`), not only under `--database`: the operator who runs the checks is the
one who should hear it. A database that is unreachable, not migrated, or (SQLite) not created
yet is skipped silently: that is for other checks and `migrate` to say, and a check must never
create an SQLite file by connecting to it.

It is an operational warning, not a configuration one: it fails `check --deploy --fail-level
WARNING` like any warning, and docs/deploy.md says how to read that (tag `workdays`).
"""

import os
from urllib.parse import urlencode

from django.conf import settings
from django.core.checks import Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, router, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .holiday_package import package_has_schedule, package_version
from .models import CalendarYear
from .selectors import CalendarYearNeedingConfirmation, calendar_years_needing_confirmation

# `manage.py check --tag workdays` runs this check alone.
CALENDAR_CHECK_TAG = "workdays"
CALENDAR_CHECK_ID = "workdays.W001"


def _calendar_table_ready(alias: str) -> bool:
    """Is the calendar's table there to be read? Never creates a database to find out."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict.get("NAME") or "")
        in_memory = name == ":memory:" or name.startswith("file:") or "mode=memory" in name
        if not in_memory and not os.path.exists(name):
            return False
    return CalendarYear._meta.db_table in connection.introspection.table_names()


def _years_needing_confirmation() -> list[CalendarYearNeedingConfirmation] | None:
    """The selector's answer, or None when the database cannot give one."""
    alias = router.db_for_read(CalendarYear)
    try:
        if not _calendar_table_ready(alias):
            return None
        # A savepoint, so that a failed read (a table from an older migration) leaves an
        # enclosing transaction usable on PostgreSQL.
        with transaction.atomic(using=alias):
            return calendar_years_needing_confirmation(on=timezone.localdate())
    except (DatabaseError, ImproperlyConfigured):
        return None


def _admin_url(view_name: str, *, args=(), query: dict | None = None) -> str:
    try:
        path = reverse(view_name, args=args)
    except NoReverseMatch:  # a project that mounts the back office elsewhere or not at all
        return ""
    if query:
        path += "?" + urlencode(query)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def calendar_year_warning(missing: CalendarYearNeedingConfirmation, *, today) -> Warning:
    """The warning for one year, with a hint that says how to enter it."""
    year = missing.year
    if year <= today.year:
        message = _(
            "%(year)s has no confirmed work calendar: its working-day deadlines are provisional "
            "until a county administrator confirms it against the State Council's holiday notice."
        ) % {"year": year}
    else:
        days = (today.replace(year=year, month=1, day=1) - today).days
        message = _(
            "%(year)s begins in %(days)s days and has no confirmed work calendar yet: working-day "
            "deadlines that reach into it are provisional until a county administrator confirms it "
            "against the State Council's holiday notice."
        ) % {"year": year, "days": days}
    if missing.draft is not None:
        hint = _(
            "A draft of %(year)s is waiting: check it against the notice and confirm it in the back "
            "office, Work calendar → Calendar years → Confirm this year: %(url)s"
        ) % {"year": year, "url": _admin_url("calendar_years:confirm", args=[missing.draft.pk])}
    elif package_has_schedule(year):
        hint = _(
            "Enter it from the notice in the back office, Work calendar → Enter from the notice: "
            "%(url)s, or draft it with `manage.py load_work_calendar %(year)s`; then confirm it there."
        ) % {"year": year, "url": _admin_url("calendar_years:enter", query={"year": year})}
    else:
        hint = _(
            "Enter it from the State Council's notice in the back office, Work calendar → Enter from "
            "the notice: %(url)s, then confirm it. (The holidays package %(version)s has no schedule "
            "for %(year)s yet, so load_work_calendar cannot draft it.)"
        ) % {
            "year": year,
            "url": _admin_url("calendar_years:enter", query={"year": year}),
            "version": package_version(),
        }
    return Warning(message, hint=hint, id=CALENDAR_CHECK_ID)


@register(CALENDAR_CHECK_TAG)
def work_calendar_confirmed_check(app_configs, **kwargs):
    """One warning per year that lacks a confirmed calendar as of today (Asia/Shanghai)."""
    if app_configs is not None and not any(config.label == "workdays" for config in app_configs):
        return []
    missing = _years_needing_confirmation()
    if not missing:
        return []
    today = timezone.localdate()
    return [calendar_year_warning(year, today=today) for year in missing]
