"""factory_boy factories for the foundation models, shared by every app's tests."""

import factory
from stdnum.cn import ric

from portal.offices.models import Office, OfficeKind
from portal.people.models import User
from portal.places.models import Region, RegionLevel


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    level = RegionLevel.COUNTY
    code = "120115000000"
    name = factory.Sequence(lambda n: f"地区{n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    name = factory.Sequence(lambda n: f"办公室{n}")
    short_name = factory.LazyAttribute(lambda o: o.name[:30])
    kind = OfficeKind.DEPARTMENT
    phone = factory.Sequence(lambda n: f"022-2924{n:04d}")
    address = "办公楼一层"
    opening_hours = "周一至周五 9:00-17:00"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"职员{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_id_number(area: str = "120115", birth: str = "20030101", order: int = 123) -> str:
    """A valid 18-character resident ID number (fictional) with its check digit."""
    body = f"{area}{birth}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
