"""Factories for the work calendar tests."""

import datetime

import factory
from django.contrib.auth import get_user_model

from portal.workdays.models import CalendarDay, CalendarYear


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"calendar_user{n}")
    is_active = True


class SuperuserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"calendar_admin{n}")
    is_staff = True
    is_superuser = True


class CalendarYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarYear
        django_get_or_create = ("year",)

    year = 2026
    status = CalendarYear.Status.DRAFT

    class Params:
        confirmed = factory.Trait(
            status=CalendarYear.Status.CONFIRMED,
            confirmed_by=factory.SubFactory(SuperuserFactory),
            confirmed_at=factory.LazyFunction(
                lambda: datetime.datetime(2025, 11, 4, 10, 0, tzinfo=datetime.UTC)
            ),
        )


class CalendarDayFactory(factory.django.DjangoModelFactory):
    """A weekday rest day by default (the usual kind of entry)."""

    class Meta:
        model = CalendarDay

    date = datetime.date(2026, 6, 19)
    year = factory.LazyAttribute(lambda day: CalendarYearFactory(year=day.date.year))
    is_workday = False
    name = "端午节"
    source = CalendarDay.Source.MANUAL
