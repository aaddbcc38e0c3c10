"""Role × rating object × URL: every person of the cast against the ratings of three decided
applications, on every rating page and step, the lists, figures and rules.

The expected outcome of each cell comes from the hand-written tables below, written from the
rules (a rating is seen by whoever sees its application; the handling office's supervisor, or a
department's officers, answer and appeal; the station's assistant records for the villager; the
county administrator decides appeals), never computed from the selectors under test.

  a1    低保 of village A1, approved at centre A, rated 不满意 (its rectification is open)
  b1    低保 of village B1, approved at centre B, rated 非常不满意
  dept  临时救助 of village A1, decided by department D1, rated 不满意

Each has an appeal pending. 12 people × 10 URLs × 3 ratings = 360 cells, and 12 × 4 lists = 48.
"""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals import services
from certificates.services import application_hand_over, current_certificate
from portal.people.services import resident_register
from ratings import services as rating_services
from ratings.models import Channel, Level, Rating, RatingAppeal, RatingEvent, Rectification
from tests.approvals.conftest import Cases
from tests.approvals.test_access_matrix import _items
from tests.certificates.proofs import signature_data_url
from tests.conftest import MATRIX_ROLES, build_matrix_cast
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

ROLES = MATRIX_ROLES
RATINGS = ["a1", "b1", "dept"]

# Who sees each application (and so its rating): its station's assistant; the centre or
# department it was routed to; administrators over those offices.
SEES = {
    "a1": {"assistant_a1", "clerk_a", "supervisor_a", "county_admin", "township_admin_a"},
    "b1": {"assistant_b1", "clerk_b", "county_admin"},
    "dept": {"assistant_a1", "officer_d1", "county_admin", "township_admin_a"},
}
# Who answers and appeals: the handling centre's supervisor; at a department, its officers.
ANSWERS = {"a1": {"supervisor_a"}, "b1": set(), "dept": {"officer_d1"}}
# Who records a rating for the villager: the filing station's assistant.
FILES = {"a1": {"assistant_a1"}, "b1": {"assistant_b1"}, "dept": {"assistant_a1"}}
COUNTY = {"county_admin"}
# Whose figures page opens: supervisors, administrators, department officers.
FIGURES = {"supervisor_a", "officer_d1", "county_admin", "township_admin_a"}

URLS = [
    "detail",
    "answer_get",
    "answer_post",
    "revisit_get",
    "appeal_get",
    "assisted_get",
    "assisted_post",
    "appeal_page",
    "appeal_decide",
    "villager_rate",
]


def expected(role: str, key: str, url: str) -> str:
    """ok (200 or done), back (redirected to the page with a message, nothing changed), 404,
    login (to the login page), track (to the tracking form)."""
    if url == "villager_rate":
        return "track"
    if role == "anonymous":
        return "login"
    sees = role in SEES[key]
    if url == "detail":
        return "ok" if sees else "404"
    if url in ("answer_get", "answer_post"):
        return "ok" if role in ANSWERS[key] else "back" if sees else "404"
    if url in ("revisit_get", "appeal_get"):  # one appeal per rating, and each has one already;
        # and the rectification is open: nobody revisits before the answer
        return "back" if sees else "404"
    if url in ("assisted_get", "assisted_post"):  # under appeal, so no one may change it
        return "back" if sees else "404"
    if url in ("appeal_page", "appeal_decide"):
        return (
            "ok" if role in COUNTY else "back" if sees and url == "appeal_decide" else "ok" if sees else "404"
        )
    raise AssertionError(url)


@dataclass
class Matrix:
    people: dict
    ratings: dict


def build_matrix() -> Matrix:
    world, people = build_matrix_cast()
    items = _items(world)
    villages = {"a1": world.village_a1, "b1": world.village_b1}
    ratings = {}
    for order, (key, item, where, decider) in enumerate(
        [
            ("a1", "dibao", "a1", world.clerk_a),
            ("b1", "dibao", "b1", world.clerk_b),
            ("dept", "relief", "a1", world.officer_d1),
        ]
    ):
        resident, _warnings = resident_register(
            actor=None,
            name=f"村民{key}",
            id_number=make_id_number(order=300 + order),
            mobile=f"13812346{order:03d}",
            village=villages[where],
        )
        application = Cases(world, items, {where: resident}).accepted(item=item, where=where)
        services.application_approve(actor=decider, application=application)
        if current_certificate(application) is not None:
            application_hand_over(
                actor=application.filed_by,
                application=application,
                on=timezone.localdate(),
                how="in_person",
                signature=signature_data_url(),
            )
        level = Level.VERY_DISSATISFIED if key == "b1" else Level.DISSATISFIED
        rating = rating_services.rating_submit(application=application, level=level, channel=Channel.TRACKING)
        RatingAppeal.objects.create(
            rating=rating,
            office=rating.office,
            reason="恶意差评，有录音为证。",
            filed_by=world.county_admin,
            filed_at=rating.rated_at,
        )
        ratings[key] = Rating.objects.select_related("application").get(pk=rating.pk)
    return Matrix(people=people, ratings=ratings)


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_matrix()
        transaction.set_rollback(True)


def _client(client, matrix, role):
    if role != "anonymous":
        client.force_login(matrix.people[role])
    return client


def _state(rating: Rating) -> tuple:
    rectification = Rectification.objects.get(rating=rating)
    return (
        Rating.objects.get(pk=rating.pk).level,
        rectification.state,
        RatingAppeal.objects.get(rating=rating).outcome,
        RatingEvent.objects.filter(rating=rating).count(),
    )


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("key", RATINGS)
@pytest.mark.parametrize("role", ROLES)
def test_role_on_rating_url(client, matrix, role, key, url):
    rating = matrix.ratings[key]
    rectification = Rectification.objects.get(rating=rating)
    appeal = RatingAppeal.objects.get(rating=rating)
    application = rating.application
    outcome = expected(role, key, url)
    client = _client(client, matrix, role)
    before = _state(rating)
    target = {
        "detail": ("get", reverse("ratings:rectification", args=[rectification.pk]), None),
        "answer_get": ("get", reverse("ratings:answer", args=[rectification.pk]), None),
        "answer_post": (
            "post",
            reverse("ratings:answer", args=[rectification.pk]),
            {"answer": "已约谈并向村民说明情况。"},
        ),
        "revisit_get": ("get", reverse("ratings:revisit", args=[rectification.pk]), None),
        "appeal_get": ("get", reverse("ratings:appeal_file", args=[rectification.pk]), None),
        "assisted_get": ("get", reverse("ratings:assisted_rate", args=[application.pk]), None),
        "assisted_post": (
            "post",
            reverse("ratings:assisted_rate", args=[application.pk]),
            {"level": "5", "channel": "paper"},
        ),
        "appeal_page": ("get", reverse("ratings:appeal", args=[appeal.pk]), None),
        "appeal_decide": (
            "post",
            reverse("ratings:appeal", args=[appeal.pk]),
            {"outcome": "set_aside", "reason": "录音证实恶意差评"},
        ),
        "villager_rate": ("post", reverse("tracking:rate", args=[application.number]), {"level": "5"}),
    }[url]
    method, path, data = target
    response = getattr(client, method)(path, data or {})
    body = response.content.decode() if response.status_code == 200 else ""
    changed = _state(rating) != before
    if outcome == "ok":
        assert response.status_code in (200, 302), (response.status_code, path)
        if method == "post":
            assert changed and response.status_code == 302
        else:
            assert response.status_code == 200 and application.number in body
    elif outcome == "back":
        assert response.status_code == 302 and not changed
        assert not response["Location"].startswith(reverse("people:login"))
    elif outcome == "404":
        assert response.status_code == 404 and not changed
        assert application.number not in response.content.decode()
    elif outcome == "login":
        assert response.status_code == 302 and response["Location"].startswith(reverse("people:login"))
        assert not changed
    elif outcome == "track":
        assert response.status_code == 302 and response["Location"].startswith(reverse("tracking:form"))
        assert not changed
    if outcome != "ok" and url == "appeal_page" and response.status_code == 200:
        assert 'name="outcome"' not in body


LISTS = {
    "rectifications": "ratings:rectifications",
    "appeals": "ratings:appeals",
    "figures": "ratings:figures",
    "rules": "ratings:rules",
}


@pytest.mark.parametrize("page", LISTS)
@pytest.mark.parametrize("role", ROLES)
def test_rating_lists(client, matrix, role, page):
    client = _client(client, matrix, role)
    response = client.get(reverse(LISTS[page]))
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("people:login"))
        return
    if page == "rectifications":
        assert response.status_code == 200
        body = response.content.decode()
        for key, rating in matrix.ratings.items():
            assert (rating.application.number in body) == (role in SEES[key]), key
        return
    allowed = {"appeals": COUNTY, "rules": COUNTY, "figures": FIGURES}[page]
    assert response.status_code == (200 if role in allowed else 404)
    if page == "appeals" and role in allowed:
        body = response.content.decode()
        assert all(rating.application.number in body for rating in matrix.ratings.values())


BACK_OFFICE = {
    "county_admin",
    "township_admin_a",
}  # administrators enter the back office; editors see no work


@pytest.mark.parametrize("role", ROLES)
def test_back_office_rating_list_and_inspect(client, matrix, role):
    """The back office shows the ratings of the applications the person sees, and no others."""
    client = _client(client, matrix, role)
    response = client.get("/admin/rating_admin/")
    if role not in BACK_OFFICE:
        assert response.status_code in (302, 403)
        return
    assert response.status_code == 200
    body = response.content.decode()
    for key, rating in matrix.ratings.items():
        assert (rating.application.number in body) == (role in SEES[key]), key
        inspect = client.get(f"/admin/rating_admin/inspect/{rating.pk}/")
        assert inspect.status_code == (200 if role in SEES[key] else 404), key
