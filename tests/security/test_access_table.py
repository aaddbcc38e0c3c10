"""The access proof: ONE table of role × object × URL over every kind of object the portal keeps
(applications and their steps, uploaded materials, receipts, notices and certificates as PDF, the
public certificate check, ratings and rectification tasks, ledger items and their photos, the
CSV/XLSX exports, the back-office viewsets, lists, search and the public guide search).

Every person of `MATRIX_ROLES` (anonymous included) meets an object inside and an object outside
their jurisdiction: township A's work (`a1`, `a1_open`, ledger `l_a1`), township B's (`b1`,
`b1_open`, `l_b1`) and department D1's (`dept`). The expected outcome of each cell comes from
the hand-written `SEES` / capacity tables below (the rules of the domain brief), never from the
selectors under test. Each cell checks the status, and wherever an object must not show (a
refusal, a list, a search, an export) that its number and its villager's name are absent.

The data is built once for the module through the services, in a transaction rolled back at
the end; each row (person × URL) is one test with one login, and each of its cells runs in its
own savepoint inside the test's, so a step one cell takes is gone for the next.

`len(TABLE)` = 1,728 cells: 12 people × 38 URL kinds × 2 to 7 objects, in 456 rows (asserted in
`test_the_table_is_big_enough`). Each row runs twice (`tests.security.proxy.client`): straight,
and behind the documented proxy (PROXY_COUNT=1, requests carrying X-Forwarded-For).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.models import Application, ApplicationFile, Notice
from certificates.models import Certificate
from certificates.services import application_hand_over, current_certificate
from ledger import services as ledger_services
from ledger.models import LedgerItem
from portal.people.identity import mask_name
from portal.people.services import resident_register
from ratings import services as rating_services
from ratings.models import Channel, Level, RatingAppeal, Rectification
from tests.approvals.conftest import Cases
from tests.approvals.test_access_matrix import _items
from tests.certificates.proofs import signature_data_url
from tests.conftest import MATRIX_ROLES, build_matrix_cast
from tests.factories import make_id_number
from tests.ledger.conftest import checked_photo
from tests.security import proxy

pytestmark = pytest.mark.django_db

client = proxy.client  # every row twice: straight, and behind the documented proxy

# -- the hand-written rules ----------------------------------------------------------------------

A_SIDE = {"assistant_a1", "clerk_a", "supervisor_a", "county_admin", "township_admin_a"}
B_SIDE = {"assistant_b1", "clerk_b", "county_admin"}
# Who sees each object: its village's assistant, the centre (or department) it went to, the
# administrators over that office. Editors, outsiders, assistant_a2 and anonymous: nothing.
SEES = {
    "a1": A_SIDE,  # 低保 of village A1, approved at centre A, certificate handed over, rated
    "a1_open": A_SIDE,  # 低保 of village A1, submitted to centre A (open work)
    "b1": B_SIDE,  # the same in township B
    "b1_open": B_SIDE,
    "dept": {"assistant_a1", "officer_d1", "county_admin", "township_admin_a"},  # 临时救助, decided by D1
    "l_a1": A_SIDE,  # a ledger item of village A1
    "l_b1": B_SIDE,
}
# Who handles each application (reveals the ID number): the office the work sits at.
HANDLES = {
    "a1": {"clerk_a", "supervisor_a"},
    "a1_open": {"clerk_a", "supervisor_a"},
    "b1": {"clerk_b"},
    "b1_open": {"clerk_b"},
    "dept": {"officer_d1"},
}
BACK_OFFICE = {"county_admin", "township_admin_a"}  # who enters /admin/ for the work viewsets
COUNTY = {"county_admin"}

APPLICATIONS = ["a1", "b1", "dept", "a1_open", "b1_open"]
DECIDED = ["a1", "b1", "dept"]  # rated; a1 and b1 also hold a certificate (relief issues none)
WITH_CERTIFICATE = ["a1", "b1"]
LEDGER = ["l_a1", "l_b1"]

# URL kind -> the objects it is asked about.
OBJECT_URLS = {
    "app_detail": APPLICATIONS,
    "app_file": APPLICATIONS,
    "app_receipt": APPLICATIONS,
    "app_receipt_pdf": APPLICATIONS,
    "app_notice_pdf": ["a1_open", "b1_open"],  # a one-time notice (一次性告知) written for each
    "app_id_number": APPLICATIONS,
    "app_act_pause": ["a1_open", "b1_open"],
    "app_tracking": APPLICATIONS,
    "cert_pdf": WITH_CERTIFICATE,
    "cert_verify": WITH_CERTIFICATE,
    "rect_detail": DECIDED,
    "rect_answer": DECIDED,
    "rating_assisted": DECIDED,
    "appeal_page": DECIDED,
    "admin_application_inspect": APPLICATIONS,
    "admin_rating_inspect": DECIDED,
    "ledger_detail": LEDGER,
    "ledger_photo": LEDGER,
    "ledger_act_note": LEDGER,
    "admin_ledger_inspect": LEDGER,
}
# List, export, search and count pages -> the objects whose presence is checked on them.
LIST_URLS = {
    "list_inbox": APPLICATIONS,
    "list_station": APPLICATIONS,
    "list_export_csv": APPLICATIONS,
    "list_staff_home": APPLICATIONS + LEDGER,
    "list_admin_applications": APPLICATIONS,
    "list_admin_search": APPLICATIONS,
    "list_admin_residents": APPLICATIONS,
    "list_rectifications": DECIDED,
    "list_appeals": DECIDED,
    "list_admin_ratings": DECIDED,
    "list_meeting": APPLICATIONS + LEDGER,
    "list_meeting_xlsx": APPLICATIONS + LEDGER,
    "list_print_queue": WITH_CERTIFICATE,
    "list_ledger": LEDGER,
    "list_ledger_csv": LEDGER,
    "list_admin_ledger": LEDGER,
    "list_guide_search": APPLICATIONS + LEDGER,
    "list_satisfaction": DECIDED,
}
# Lists whose rows are exactly the objects the person sees (anything else: only "not leaked").
EXACT = {
    "list_inbox": {  # open work where it sits; an assistant's landing page is their station
        "assistant_a1": {"a1", "a1_open", "dept"},
        "assistant_b1": {"b1", "b1_open"},
        "clerk_a": {"a1_open"},
        "supervisor_a": {"a1_open"},
        "clerk_b": {"b1_open"},
    },
    "list_station": {"assistant_a1": {"a1", "a1_open", "dept"}, "assistant_b1": {"b1", "b1_open"}},
    "list_export_csv": {"clerk_a": {"a1_open"}, "supervisor_a": {"a1_open"}, "clerk_b": {"b1_open"}},
    "list_admin_applications": {
        "county_admin": set(APPLICATIONS),
        "township_admin_a": {"a1", "a1_open", "dept"},
    },
    "list_admin_search": {"county_admin": set(APPLICATIONS), "township_admin_a": {"a1", "a1_open", "dept"}},
    "list_rectifications": {role: {k for k in DECIDED if role in SEES[k]} for role in MATRIX_ROLES},
    "list_appeals": {"county_admin": set(DECIDED)},
    "list_admin_ratings": {"county_admin": set(DECIDED), "township_admin_a": {"a1", "dept"}},
    "list_ledger": {role: {k for k in LEDGER if role in SEES[k]} for role in MATRIX_ROLES},
    "list_ledger_csv": {role: {k for k in LEDGER if role in SEES[k]} for role in MATRIX_ROLES},
    "list_admin_ledger": {"county_admin": set(LEDGER), "township_admin_a": {"l_a1"}},
}


def expected(role: str, url: str, key: str) -> str:
    """The outcome of one cell, from the tables above."""
    sees = role in SEES[key]
    if url == "app_tracking":
        return "to_tracking_form"  # no lookup made in this session: nobody's tracking page opens
    if url == "cert_verify":
        return "public"  # anyone may check a printed certificate; it shows no full name
    if url.startswith("list_"):
        if url == "list_guide_search" or url == "list_satisfaction":
            return "absent"  # public pages: no application, item or villager ever
        exact = EXACT.get(url)
        if exact is not None:
            return "listed" if key in exact.get(role, set()) else "absent"
        return "maybe" if sees else "absent"  # lists filtered by more than jurisdiction
    if url.startswith("admin_"):
        if role not in BACK_OFFICE:
            return "refused"
        return "ok" if sees else "hidden"
    if role == "anonymous":
        return "login"
    if not sees:
        return "hidden"
    if url == "app_id_number":
        return "to_detail" if role in HANDLES[key] else "hidden"
    if url in ("app_receipt_pdf", "app_notice_pdf", "cert_pdf"):
        return "pdf"
    if url == "app_act_pause":  # a submitted file: its handler may not pause it yet, nobody may
        return "refused_to_detail"
    if url == "rect_answer":  # the handling centre's supervisor, a department's officers answer
        return "ok" if role in {"a1": {"supervisor_a"}, "b1": set(), "dept": {"officer_d1"}}[key] else "back"
    if url == "rating_assisted":  # under appeal: nobody may change the rating
        return "back"
    if url == "ledger_act_note":  # a registered item: its village's assistant or the supervisor notes
        return (
            "ok"
            if role in {"l_a1": {"assistant_a1", "supervisor_a"}, "l_b1": {"assistant_b1"}}[key]
            else "back"
        )
    return "ok"


TABLE = [
    (role, url, key, expected(role, url, key))
    for urls in (OBJECT_URLS, LIST_URLS)
    for url, keys in urls.items()
    for key in keys
    for role in MATRIX_ROLES
]

# -- the module's world --------------------------------------------------------------------------

VILLAGERS = {
    "a1": "钱守仁",
    "b1": "郑秋菊",
    "dept": "冯长海",
    "a1_open": "褚美玲",
    "b1_open": "卫国栋",
    "l_a1": "蒋春生",
    "l_b1": "沈月娥",
}


@dataclass
class Data:
    people: dict
    objects: dict  # key -> Application or LedgerItem
    files: dict  # key -> an uploaded material's pk
    notices: dict
    certificates: dict
    ratings: dict
    photos: dict


def build_data() -> Data:
    world, people = build_matrix_cast()
    items = _items(world)
    villages = {"a1": world.village_a1, "b1": world.village_b1}
    objects: dict = {}
    plan = [
        ("a1", "dibao", "a1", world.clerk_a),
        ("b1", "dibao", "b1", world.clerk_b),
        ("dept", "relief", "a1", world.officer_d1),
        ("a1_open", "dibao", "a1", None),
        ("b1_open", "dibao", "b1", None),
    ]
    ratings = {}
    for order, (key, item, where, decider) in enumerate(plan):
        resident, _warnings = resident_register(
            actor=None,
            name=VILLAGERS[key],
            id_number=make_id_number(order=500 + order),
            mobile=f"13812347{order:03d}",
            village=villages[where],
        )
        cases = Cases(world, items, {where: resident})
        if decider is None:
            objects[key] = cases.submitted(item=item, where=where)
            continue
        application = cases.accepted(item=item, where=where)
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
            reason="恶意差评。",
            filed_by=world.county_admin,
            filed_at=rating.rated_at,
        )
        ratings[key] = rating.pk
        objects[key] = application
    Application.objects.exclude(state="draft").update(tracking_locked_at=timezone.now())
    objects = {key: Application.objects.get(pk=a.pk) for key, a in objects.items()}
    for key, village, assistant in (
        ("l_a1", world.village_a1, world.assistant_a1),
        ("l_b1", world.village_b1, world.assistant_b1),
    ):
        item = ledger_services.ledger_item_register(
            actor=assistant,
            village=village,
            villager_name=VILLAGERS[key],
            villager_mobile=f"1391234{len(objects):04d}",
            need=f"{VILLAGERS[key]}家门口的路灯坏了",
            photo=checked_photo(f"{key}.png"),
        )
        objects[key] = LedgerItem.objects.get(pk=item.pk)
    files = {
        key: ApplicationFile.objects.filter(application=objects[key], kind=ApplicationFile.Kind.MATERIAL)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
        for key in APPLICATIONS
    }
    # A one-time notice on each open file (the row a return writes, without the state change).
    notices = {
        key: services._write_notice(
            objects[key],
            Notice.Kind.SUPPLEMENT,
            objects[key].current_office.memberships.first().user,
            [services.MissingItem(material=None, reason="照片模糊", name="户口簿")],
            "请补正",
        ).pk
        for key in ("a1_open", "b1_open")
    }
    certificates = {key: Certificate.objects.get(application=objects[key]) for key in WITH_CERTIFICATE}
    photos = {key: objects[key].photos.get().pk for key in LEDGER}
    assert all(files.values()) and all(notices.values()), (files, notices)
    return Data(people, objects, files, notices, certificates, ratings, photos)


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_data()
        transaction.set_rollback(True)


# -- one cell ------------------------------------------------------------------------------------


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]
    else:
        content = response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    return content.decode("utf-8", "replace")


def _marks(obj) -> list[str]:
    """What identifies the object on a page: its number and its villager's full and masked name."""
    name = obj.applicant_name if isinstance(obj, Application) else obj.villager_name
    return [obj.number, name, mask_name(name)]


def _assert_absent(response, obj, echoed: str = "") -> None:
    """`echoed`: the search words, which the results page repeats back (not a leak)."""
    body = _body(response)
    if echoed:
        body = body.replace(echoed, "")
    shown = [mark for mark in _marks(obj) if mark and mark in body]
    assert not shown, f"outside object shown: {shown}"


def _list_path(url: str, obj) -> str:
    """The page a list cell asks for (for most lists the same page for every object of the row)."""
    lists = {
        "list_inbox": lambda: reverse("approvals:inbox"),
        "list_station": lambda: reverse("approvals:station"),
        "list_export_csv": lambda: reverse("approvals:export"),
        "list_staff_home": lambda: reverse("web:staff_home"),
        "list_admin_applications": lambda: reverse("application_admin:index"),
        "list_admin_search": lambda: reverse("application_admin:index") + f"?q={obj.number}",
        "list_admin_residents": lambda: reverse("resident_admin:index"),
        "list_rectifications": lambda: reverse("ratings:rectifications"),
        "list_appeals": lambda: reverse("ratings:appeals"),
        "list_admin_ratings": lambda: reverse("rating_admin:index"),
        "list_meeting": lambda: reverse("approvals:meeting") + f"?region={obj.village.parent.code}",
        "list_meeting_xlsx": lambda: reverse("approvals:meeting_xlsx") + f"?region={obj.village.parent.code}",
        "list_print_queue": lambda: reverse("certificates:print"),
        "list_ledger": lambda: reverse("ledger:list") + "?state=all",
        "list_ledger_csv": lambda: reverse("ledger:export") + "?state=all",
        "list_admin_ledger": lambda: reverse("ledger_admin:index"),
        "list_guide_search": lambda: reverse("guide_search:results") + f"?q={obj.number}",
        "list_satisfaction": lambda: reverse("satisfaction:summary"),
    }
    return lists[url]()


def _request(client, data: Data, url: str, key: str):
    obj = data.objects.get(key)
    if url in LIST_URLS:
        return client.get(_list_path(url, obj), follow=url == "list_inbox")
    pk = obj.pk if obj is not None else None
    rectification = Rectification.objects.filter(rating_id=data.ratings.get(key)).first()
    get = client.get
    match url:
        case "app_detail":
            return get(reverse("approvals:detail", args=[pk]))
        case "app_file":
            return get(reverse("approvals:file", args=[pk, data.files[key]]))
        case "app_receipt":
            return get(reverse("approvals:receipt", args=[pk]))
        case "app_receipt_pdf":
            return get(reverse("approvals:receipt_pdf", args=[pk]))
        case "app_notice_pdf":
            return get(reverse("approvals:notice_pdf", args=[pk, data.notices[key]]))
        case "app_id_number":
            return client.post(reverse("approvals:id_number", args=[pk]))
        case "app_act_pause":
            return client.post(reverse("approvals:act", args=[pk, "pause"]), {"version": obj.version})
        case "app_tracking":
            return get(reverse("tracking:detail", args=[obj.number]))
        case "cert_pdf":
            return get(reverse("certificates:download", args=[pk, data.certificates[key].pk]))
        case "cert_verify":
            return get(reverse("verify:token", args=[data.certificates[key].token]))
        case "rect_detail":
            return get(reverse("ratings:rectification", args=[rectification.pk]))
        case "rect_answer":
            return get(reverse("ratings:answer", args=[rectification.pk]))
        case "rating_assisted":
            return get(reverse("ratings:assisted_rate", args=[pk]))
        case "appeal_page":
            return get(
                reverse("ratings:appeal", args=[RatingAppeal.objects.get(rating_id=data.ratings[key]).pk])
            )
        case "admin_application_inspect":
            return get(reverse("application_admin:inspect", args=[pk]))
        case "admin_rating_inspect":
            return get(reverse("rating_admin:inspect", args=[data.ratings[key]]))
        case "ledger_detail":
            return get(reverse("ledger:detail", args=[pk]))
        case "ledger_photo":
            return get(reverse("ledger:photo", args=[pk, data.photos[key]]))
        case "ledger_act_note":
            return get(reverse("ledger:act", args=[pk, "note"]))
        case "admin_ledger_inspect":
            return get(reverse("ledger_admin:inspect", args=[pk]))
    raise AssertionError(f"no such URL kind: {url}")


SEARCHES = {"list_admin_search", "list_guide_search"}  # asked with the object's number as the words


def _path(response) -> str:
    return urlsplit(response["Location"]).path if response.status_code == 302 else ""


def _check(response, obj, url: str, outcome: str) -> None:
    status = response.status_code
    if outcome == "ok":
        assert status == 200, status
        if url not in ("app_file", "ledger_photo"):
            assert obj.number in _body(response)
    elif outcome == "pdf":
        assert status == 200 and response["Content-Type"] == "application/pdf", status
        assert response["Cache-Control"].startswith("private, no-store")
    elif outcome == "public":
        assert status == 200, status
        body = _body(response)
        assert obj.applicant_name not in body and obj.number not in body  # masked name at most
    elif outcome == "to_detail":
        assert _path(response) == reverse("approvals:detail", args=[obj.pk]), status
    elif outcome in ("back", "refused_to_detail"):
        assert status in (302, 400), status
        assert _path(response) != resolve_url(settings.LOGIN_URL)
    elif outcome == "to_tracking_form":
        assert _path(response) == reverse("tracking:form"), status
        _assert_absent(response, obj)
    elif outcome == "login":
        assert _path(response) == resolve_url(settings.LOGIN_URL), status
        _assert_absent(response, obj)
    elif outcome == "hidden":
        assert status == 404, status
        _assert_absent(response, obj)
    elif outcome == "refused":  # the back office: redirected to its login, or refused
        assert status in (302, 403, 404), status
        _assert_absent(response, obj)
    elif outcome == "listed":
        assert status == 200, status
        body = _body(response)
        if url in SEARCHES:  # found: its row links to it (the search words alone are echoed back)
            assert f'href="{reverse("application_admin:inspect", args=[obj.pk])}"' in body, "not found"
        else:
            assert obj.number in body
    elif outcome == "absent":
        assert status in (200, 302, 403, 404), status
        _assert_absent(response, obj, obj.number if url in SEARCHES else "")
    elif outcome == "maybe":
        assert status in (200, 302, 403, 404), status
    else:
        raise AssertionError(outcome)


ROWS = list(dict.fromkeys((role, url) for role, url, _key, _outcome in TABLE))


@pytest.mark.parametrize(("role", "url"), ROWS, ids=[f"{role}-{url}" for role, url in ROWS])
def test_row(client, data, role, url):
    """One row of the table: this person on this URL, one cell per object (each in its own
    savepoint, so a step one cell takes is gone for the next). One login per row keeps the
    1,700 cells fast; every wrong cell of the row is reported, not just the first. A list page
    that is the same for every object of the row (most are: only the searches and the meeting
    sheets name one) is asked for once, and each object is checked on that answer."""
    if role != "anonymous":
        client.force_login(data.people[role])
    wrong = {}
    pages = {}  # list page -> its answer in this row
    for _role, _url, key, outcome in (cell for cell in TABLE if cell[:2] == (role, url)):
        try:
            with transaction.atomic():
                if url in LIST_URLS:
                    path = _list_path(url, data.objects[key])
                    if path not in pages:
                        pages[path] = _request(client, data, url, key)
                    response = pages[path]
                else:
                    response = _request(client, data, url, key)
                _check(response, data.objects[key], url, outcome)
                transaction.set_rollback(True)
        except AssertionError as error:
            wrong[key] = f"expected {outcome}: {error}"
    assert not wrong, "\n".join(f"{role} × {url} × {key}: {problem}" for key, problem in wrong.items())


def test_the_table_is_big_enough():
    """Every role (anonymous too) × every URL kind × an inside and an outside object."""
    assert len(TABLE) >= 500
    assert len(TABLE) == 1728, len(TABLE)
    for url in {**OBJECT_URLS, **LIST_URLS}:
        for role in MATRIX_ROLES:
            outcomes = {outcome for r, u, _k, outcome in TABLE if r == role and u == url}
            assert outcomes, (role, url)
