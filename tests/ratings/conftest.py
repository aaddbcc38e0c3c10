"""Ratings on top of the applications' world. `decided("a1")` is a 低保 application of village A1
approved at centre A (an item without a certificate, so it may be rated at once); with
`reject=True` it is refused instead; `rate(...)` gives it a rating as the villager would."""

import pytest

from approvals import services
from approvals.models import Application
from ratings import services as rating_services
from ratings.models import Channel, Level, Rating
from tests.approvals.conftest import cases, items, png_upload, residents  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401


@pytest.fixture
def decided(cases, world):  # noqa: F811
    def _decided(where: str = "a1", item: str = "dibao", *, reject: bool = False) -> Application:
        application = cases.accepted(item, where)
        clerk = world.clerk_a if where == "a1" else world.clerk_b
        if application.current_office.kind == "department":
            clerk = world.officer_d1
        if reject:
            return services.application_reject(
                actor=clerk,
                application=application,
                reason="家庭收入超过标准",
                basis="《社会救助暂行办法》第九条",
            )
        return services.application_approve(actor=clerk, application=application)

    return _decided


@pytest.fixture
def rate():
    def _rate(application: Application, level: int = Level.SATISFIED, **kwargs) -> Rating:
        kwargs.setdefault("channel", Channel.TRACKING)
        return rating_services.rating_submit(application=application, level=level, **kwargs)

    return _rate


@pytest.fixture
def bad(decided, rate):
    """A bad rating (不满意) of an application approved at centre A, with its rectification."""
    rating = rate(decided("a1"), Level.DISSATISFIED, reasons=["slow"], comment="跑了三趟")
    return rating.rectifications.get()


@pytest.fixture(autouse=True)
def _english():
    """Service messages in English (the msgids), so tests read the rules' own words; pages
    choose their language through the cookie the tests set."""
    from django.utils import translation

    with translation.override("en"):
        yield
