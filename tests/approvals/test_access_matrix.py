"""Role × application × URL: every person of the cast against every kind of application, on every
staff page, download and step, the lists, the back office and the public tracking page.

The expected outcome of each cell comes from the hand-written tables below (who sees which
application, who holds which capacity on it, which steps its state offers), written from the
rules in the domain brief, never computed from the selectors under test.

The cast is tests/conftest.py's world plus assistant_a2 (station A2: same township, no
applications) and anonymous. The applications are built once for the module through the
services, inside a transaction rolled back at the end of the module; every cell runs in its own
savepoint, so a step one cell takes is gone for the next:

  draft   village A1, still a draft (only its station sees drafts)
  a1      village A1, submitted, routed to centre A, past its acceptance date (overdue)
  a1_acc  village A1, accepted at centre A by clerk_a
  a1_rev  village A1, 宅基地 (the supervisor approves): accepted and reviewed by clerk_a
  b1      village B1, submitted, routed to centre B
  fwd     village A1, accepted at centre A, then forwarded (上报) to department D1
  relief  village A1, 临时救助 (not delegated): routed straight to department D1
  appr    village A1, 低保 approved at centre A by clerk_a, with its certificate (证照)

Every submitted application has its online tracking locked, so that an unlock shows.

Every item has an application form (申请表) with a field the villager answers and one the office
enters (核定); the correction page (更正) is opened and used on the first.

12 people × 32 URLs × 8 applications = 3072 cells (a step page's GET and POST make one cell), and
12 people × 5 lists × 8 applications = 480 more.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.models import Application, ApplicationEvent, ApplicationFile, Notice
from approvals.states import Act, State
from certificates.models import Certificate
from portal.people.identity import mask_name
from portal.people.models import IdNumberDisclosure, User
from portal.people.services import resident_register
from services_catalog.item_forms.schema import digest, parse_definition
from services_catalog.models import ItemFormVersion
from tests.approvals.conftest import Cases, png_upload
from tests.certificates.proofs import signature_data_url
from tests.compiled import one_row
from tests.conftest import MATRIX_ROLES, build_matrix_cast
from tests.factories import make_id_number
from tests.services_catalog.conftest import make_item

pytestmark = pytest.mark.django_db

# -- the hand-written rules ----------------------------------------------------------------------

ROLES = MATRIX_ROLES
APPLICATIONS = ["draft", "a1", "a1_acc", "a1_rev", "b1", "fwd", "relief", "appr"]
AT_CENTRE_A_NOW = {"a1", "a1_acc", "a1_rev"}  # open work sitting at centre A
DECIDED_AT_A = {"appr"}
SUBMITTED_IN_A = AT_CENTRE_A_NOW | DECIDED_AT_A | {"fwd", "relief"}

# Who sees which application. An assistant: their station's, drafts included; a clerk or
# supervisor: what was routed to their centre or sits there now; an officer: what was routed or
# forwarded to their department; an administrator: the submitted work of their region; editors,
# outsiders and anonymous visitors: nothing.
SEES = {
    "assistant_a1": SUBMITTED_IN_A | {"draft"},
    "assistant_a2": set(),
    "assistant_b1": {"b1"},
    "clerk_a": AT_CENTRE_A_NOW | DECIDED_AT_A | {"fwd"},
    "supervisor_a": AT_CENTRE_A_NOW | DECIDED_AT_A | {"fwd"},
    "clerk_b": {"b1"},
    "officer_d1": {"fwd", "relief"},
    "editor": set(),
    "county_admin": SUBMITTED_IN_A | {"b1"},
    "township_admin_a": SUBMITTED_IN_A,
    "outsider": set(),
    "anonymous": set(),
}

# The capacities in which people may act on each application: the filer is its station's
# assistant; the handler and the supervisor are those of the office where the work sits now.
FILER, HANDLER, SUPERVISOR = "filer", "handler", "supervisor"
AT_CENTRE_A = {FILER: {"assistant_a1"}, HANDLER: {"clerk_a", "supervisor_a"}, SUPERVISOR: {"supervisor_a"}}
AT_D1 = {FILER: {"assistant_a1"}, HANDLER: {"officer_d1"}, SUPERVISOR: set()}
CAPACITY = {
    "draft": {FILER: {"assistant_a1"}, HANDLER: set(), SUPERVISOR: set()},
    "a1": AT_CENTRE_A,
    "a1_acc": AT_CENTRE_A,
    "a1_rev": AT_CENTRE_A,
    "b1": {FILER: {"assistant_b1"}, HANDLER: {"clerk_b"}, SUPERVISOR: set()},
    "fwd": AT_D1,
    "relief": AT_D1,
    "appr": AT_CENTRE_A,
}

# The steps offered on each application, and in which capacity: what its state allows (the
# domain brief's life of an application) less what this file rules out (an item without a
# supervisor's approval is not reviewed, nothing is paused or owed here, a file is not taken twice).
SUBMITTED_STEPS = {
    Act.ACCEPT: HANDLER,
    Act.ACCEPT_WITH_PROMISE: HANDLER,
    Act.RETURN: HANDLER,
    Act.REJECT: HANDLER,  # 不予受理, with its written decision
    Act.ASSIGN: HANDLER,
    Act.REASSIGN: SUPERVISOR,
    Act.WITHDRAW: FILER,
}
STEPS = {
    "draft": {Act.WITHDRAW: FILER},
    "a1": SUBMITTED_STEPS,
    # 低保 needs no supervisor's approval: the clerk decides it, or forwards it to the county.
    "a1_acc": {
        Act.FORWARD: HANDLER,
        Act.APPROVE: HANDLER,
        Act.REJECT: HANDLER,
        Act.PAUSE: HANDLER,
        Act.ASSIGN: HANDLER,
        Act.REASSIGN: SUPERVISOR,
        Act.WITHDRAW: FILER,
    },
    # 宅基地 reviewed by the clerk: only the supervisor approves, refuses or sends it back.
    "a1_rev": {
        Act.APPROVE: SUPERVISOR,
        Act.REJECT: SUPERVISOR,
        Act.SEND_BACK: SUPERVISOR,
        Act.PAUSE: HANDLER,
        Act.ASSIGN: HANDLER,
        Act.REASSIGN: SUPERVISOR,
        Act.WITHDRAW: FILER,
    },
    "b1": SUBMITTED_STEPS,
    # At the department that decides it: no second approval there, nothing to forward.
    "fwd": {
        Act.APPROVE: HANDLER,
        Act.REJECT: HANDLER,
        Act.PAUSE: HANDLER,
        Act.ASSIGN: HANDLER,
        Act.REASSIGN: SUPERVISOR,
        Act.WITHDRAW: FILER,
    },
    "relief": SUBMITTED_STEPS,
    # Decided: only the hand-over of the certificate to the villager (送达) is left.
    "appr": {Act.HAND_OVER: FILER},
}
# Who may revoke a certificate: the supervisor of the centre that issued it.
REVOKES = {"appr": {"supervisor_a"}}
TAKEN_BY = {"a1_acc": "clerk_a", "a1_rev": "clerk_a"}  # "take it" is not offered to whoever has it
# Whose form the handler may still correct (更正): while the work is at the office, undecided and
# not passed on (submitted, accepted, reviewed).
CORRECTABLE = {"a1", "a1_acc", "a1_rev", "b1", "relief"}

# Steps taken on the filing form, not on a step page; the system's steps and bookkeeping have none.
ON_THE_FILING_FORM = {Act.SUBMIT, Act.RESUBMIT}
WITHOUT_A_PAGE = {
    Act.CREATE,
    Act.DEEM_ACCEPTED,
    Act.TERMINATE,
    Act.UNLOCK_TRACKING,
    Act.DEADLINE_MOVED,
    Act.ISSUE_CERTIFICATE,  # part of approving
    Act.REVOKE_CERTIFICATE,  # its own page: the "revoke" URL
    Act.FILE_REMOVED,  # the filing form's "remove this file"
    Act.DATA_SUPPLEMENTED,  # the filing form's answers after a return
    Act.DATA_CORRECTED,  # its own page: the "item_data" URL
    Act.DATA_ASSESSED,  # the same page, for an office field (核定)
    Act.REUSED,  # part of filing
    Act.REMOTE_LINK_SENT,  # the filing form's 网办 panel (online), its own URLs
    Act.REMOTE_LINK_REVOKED,
    Act.VILLAGER_UPLOADED,  # the villager's phone (/m/), no staff page
    Act.VILLAGER_ANSWERED,
    Act.VILLAGER_CONSENTED,
    Act.VILLAGER_FINISHED,
    Act.START_ONLINE,  # 网上申请: the villager's pages (/apply/), no staff page
    Act.HAND_IN,
    Act.TAKE,  # its own page for a villager's draft only: tests/approvals/test_villager_online.py
}
PAGE_ACTS = [act for act in Act if act not in WITHOUT_A_PAGE]

UPLOADS = 3  # two required materials and the signed consent
URLS = [
    "detail",
    *(f"file:{n}" for n in range(UPLOADS)),
    "receipt",
    "receipt_pdf",
    "certificate",
    "revoke",
    "edit",
    "id_number",
    "unlock",
    "tracking",
    "item_data",
    *(f"act:{act.value}" for act in PAGE_ACTS),
]


def expected(role: str, key: str, url: str) -> str:
    """The outcome of one cell, from the tables above."""
    if url == "tracking":
        return "to_tracking_form"  # a staff login opens no villager's tracking page
    if role == "anonymous":
        return "login"
    if key not in SEES[role]:
        return "hidden"
    holds = {capacity for capacity, people in CAPACITY[key].items() if role in people}
    if url in ("detail", "receipt"):
        return "to_edit" if key == "draft" and FILER in holds else "ok"
    if url.startswith("file:"):
        return "ok"
    if url == "receipt_pdf":
        return "hidden" if key == "draft" else "pdf"
    if url == "certificate":  # appr's certificate, asked for under each application's number
        return "pdf" if key == "appr" else "hidden"
    if url == "revoke":
        if key != "appr":
            return "hidden"
        return "revoked" if role in REVOKES[key] else "refused"
    if url == "edit":
        if FILER not in holds:
            return "hidden"
        return "ok" if key == "draft" else "to_detail"
    if url == "id_number":
        return "revealed" if HANDLER in holds else "hidden"
    if url == "unlock":
        return "unlocked" if holds & {FILER, HANDLER} else "refused"
    if url == "item_data":  # only the handler opens it; others are not told it exists
        if HANDLER not in holds:
            return "hidden"
        return "corrected" if key in CORRECTABLE else "refused"
    act = Act(url.removeprefix("act:"))
    if act in ON_THE_FILING_FORM:
        return "to_edit"
    if act == Act.ASSIGN and TAKEN_BY.get(key) == role:
        return "refused"
    if STEPS[key].get(act) in holds:
        return "form"
    return "refused"


# Lists: which applications each page shows to whom (anything not named: nothing).
LISTS = {
    # The landing page: handlers' open work where it sits now; assistants go on to their station.
    "inbox": {
        "assistant_a1": SUBMITTED_IN_A | {"draft"},
        "assistant_b1": {"b1"},
        "clerk_a": AT_CENTRE_A_NOW,
        "supervisor_a": AT_CENTRE_A_NOW,
        "clerk_b": {"b1"},
        "officer_d1": {"fwd", "relief"},
    },
    "station": {"assistant_a1": SUBMITTED_IN_A | {"draft"}, "assistant_b1": {"b1"}},
    "overdue": {"supervisor_a": {"a1"}},
    "export": {
        "clerk_a": AT_CENTRE_A_NOW,
        "supervisor_a": AT_CENTRE_A_NOW,
        "clerk_b": {"b1"},
        "officer_d1": {"fwd", "relief"},
    },
    "admin": {"county_admin": SUBMITTED_IN_A | {"b1"}, "township_admin_a": SUBMITTED_IN_A},
}
LIST_URLS = {
    "inbox": "approvals:inbox",
    "station": "approvals:station",
    "overdue": "approvals:overdue",
    "export": "approvals:export",
    "admin": "application_admin:index",
}

# -- the module's world --------------------------------------------------------------------------

VILLAGERS = {  # distinct names (and masked names) so that a name on a page points at one case
    "draft": ("张小明", "a1"),
    "a1": ("王建华", "a1"),
    "a1_acc": ("刘秀英", "a1"),
    "a1_rev": ("孙德福", "a1"),
    "b1": ("李大山", "b1"),
    "fwd": ("陈志强", "a1"),
    "relief": ("赵玉兰", "a1"),
    "appr": ("周桂芝", "a1"),
}


@dataclass
class Matrix:
    people: dict[str, User]
    applications: dict[str, Application]
    files: dict[str, list[int]]
    clerks: dict[int, int]  # office pk -> a clerk of it (a valid choice when reassigning)
    certificate: int  # the pk of appr's certificate


def _guide(world):
    from wagtail.models import Page, Site

    from cms.models import CountyHomePage
    from services_catalog.models import ServiceGuideIndexPage

    home = Page.get_first_root_node().add_child(
        instance=CountyHomePage(title="宝坻区", slug="baodi", region=world.county)
    )
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    return home.add_child(instance=ServiceGuideIndexPage(title="办事指南", slug="guide"))


def _items(world) -> dict:
    """dibao: entrusted to both centres; housing: authorised to centre A, with the supervisor's
    approval; relief: not delegated. dibao and housing have a special procedure."""
    from services_catalog.models import Delegation, DelegationMode, SpecialProcedure

    def delegate(item, centres, mode, number):
        delegation = Delegation.objects.create(
            item=item,
            department=item.department,
            mode=mode,
            document_number=number,
            valid_from=datetime.date(2024, 3, 1),
        )
        delegation.centres.set(centres)

    guide = _guide(world)
    dibao = make_item(
        guide,
        world.d1,
        code="120115-JF-001",
        title="最低生活保障审核确认",
        certificate_name="最低生活保障金领取证",
    )
    SpecialProcedure.objects.create(page=dibao, name="入户调查", working_days=5)
    delegate(dibao, [world.centre_a, world.centre_b], DelegationMode.ENTRUSTMENT, "宝坻政发〔2024〕12号")
    housing = make_item(
        guide, world.d1, code="120115-XK-002", title="农村宅基地建房审批", needs_second_approval=True
    )
    SpecialProcedure.objects.create(page=housing, name="公示", working_days=5)
    delegate(housing, [world.centre_a], DelegationMode.AUTHORISATION, "宝坻政发〔2024〕13号")
    relief = make_item(guide, world.d1, code="120115-JF-003", title="临时救助审批")
    return _forms({"dibao": dibao, "housing": housing, "relief": relief})


def _forms(items: dict) -> dict:
    """Each item's application form: one answer of the villager's, one entered by the office."""
    definition = parse_definition(
        {
            "sections": [
                {
                    "title": "家庭情况",
                    "fields": [
                        {"key": "income", "kind": "money", "label": "家庭月收入"},
                        {"key": "amount", "kind": "money", "label": "月保障金额", "office_only": True},
                    ],
                }
            ]
        }
    ).to_json()
    for item in items.values():
        ItemFormVersion.objects.create(
            item=item, number=1, definition=definition, digest=digest(definition), published_at=timezone.now()
        )
    return items


def build_matrix() -> Matrix:
    world, people = build_matrix_cast()
    items = _items(world)
    villages = {"a1": world.village_a1, "b1": world.village_b1}

    def cases_for(key: str) -> Cases:
        name, where = VILLAGERS[key]
        order = 100 + APPLICATIONS.index(key)
        resident, _warnings = resident_register(
            actor=None,
            name=name,
            id_number=make_id_number(order=order),
            mobile=f"13812345{order:03d}",
            village=villages[where],
        )
        return Cases(world, items, {where: resident})

    applications = {
        "draft": cases_for("draft").draft(),
        "a1": cases_for("a1").submitted(),
        "a1_acc": cases_for("a1_acc").accepted(),
        "a1_rev": cases_for("a1_rev").accepted(item="housing"),
        "b1": cases_for("b1").submitted(where="b1"),
        "fwd": cases_for("fwd").accepted(),
        "relief": cases_for("relief").submitted(item="relief"),
        "appr": cases_for("appr").accepted(),
    }
    services.application_approve(actor=world.clerk_a, application=applications["appr"])
    services.application_forward(
        actor=world.clerk_a, application=applications["fwd"], comment="须由区民政局审批"
    )
    services.application_review(actor=world.clerk_a, application=applications["a1_rev"], comment="符合条件")
    today = timezone.localdate()
    Application.objects.filter(pk=applications["a1"].pk).update(accept_by=today - datetime.timedelta(days=10))
    Application.objects.exclude(state=State.DRAFT).update(tracking_locked_at=timezone.now())
    applications = {key: Application.objects.get(pk=a.pk) for key, a in applications.items()}
    assert applications["fwd"].current_office == world.d1 and applications["fwd"].state == State.FORWARDED
    assert applications["relief"].handling_office == world.d1
    assert applications["a1_rev"].state == State.REVIEWED and applications["a1_rev"].assignee == world.clerk_a
    assert applications["b1"].handling_office == world.centre_b

    files = {
        key: list(
            ApplicationFile.objects.filter(application=application, superseded_at__isnull=True)
            .order_by("kind", "material_name", "pk")
            .values_list("pk", flat=True)
        )
        for key, application in applications.items()
    }
    assert all(len(pks) == UPLOADS for pks in files.values())
    clerks = {
        world.centre_a.pk: world.clerk_a.pk,
        world.centre_b.pk: world.clerk_b.pk,
        world.d1.pk: world.officer_d1.pk,
    }
    certificate = Certificate.objects.get(application=applications["appr"])
    return Matrix(
        people=people, applications=applications, files=files, clerks=clerks, certificate=certificate.pk
    )


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back when the module is done; every test's own
    savepoint (pytest-django's `db`) undoes what that test changed."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_matrix()
        transaction.set_rollback(True)


# -- checking one cell ---------------------------------------------------------------------------


def _count(model, field: str = "application"):
    rows = model.objects.filter(**{field: OuterRef(field if field != "application" else "pk")})
    return Coalesce(Subquery(rows.order_by().values(field).annotate(n=Count("pk")).values("n")), 0)


def _state(application: Application) -> tuple:
    """Everything a refused request must leave as it was, in one query: the row, and the number of
    its events, files, notices and logged reveals of the villager's ID number (the last one last).
    A cell asks it up to three times: compiled once per application (tests/compiled.py)."""
    return one_row(("approvals.application", application.pk), lambda: _state_query(application.pk))


def _state_query(pk: int):
    return (
        Application.objects.filter(pk=pk)
        .annotate(
            n_events=_count(ApplicationEvent),
            n_files=_count(ApplicationFile),
            n_notices=_count(Notice),
            n_reveals=_count(IdNumberDisclosure, "resident"),
        )
        .values_list(
            "state",
            "version",
            "assignee_id",
            "current_office_id",
            "tracking_locked_at",
            "n_events",
            "n_files",
            "n_notices",
            "n_reveals",
        )
    )


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _assert_shows_nothing_of(response, application: Application) -> None:
    body = _body(response)
    name = application.applicant_name
    if application.number:
        assert application.number not in body
    assert name not in body
    assert mask_name(name) not in body


def _redirects_to(response, url: str) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == url


def _error_message(response) -> bool:
    return any(m.level == message_levels.ERROR for m in get_messages(response.wsgi_request))


def _step_data(application: Application, act: str, clerks: dict[int, int]) -> dict:
    """What a person filling the step's form correctly would send."""
    materials = list(application.item.materials.all())
    data = {"version": application.version}
    if act == Act.RETURN:
        required = materials[0]
        data |= {f"m{required.pk}": "on", f"r{required.pk}": "照片模糊"}
    elif act == Act.ACCEPT_WITH_PROMISE:
        later = next(m for m in materials if m.may_be_missing)
        data |= {
            f"m{later.pk}": "on",
            f"r{later.pk}": "稍后补交",
            f"d{later.pk}": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "promise": png_upload("承诺书.png"),
        }
    elif act == Act.REJECT:
        data |= {"reason": "家庭收入超过标准", "basis": "《社会救助暂行办法》第九条"}
    elif act == Act.REASSIGN:
        data |= {"to": clerks.get(application.current_office_id, ""), "comment": "改派"}
    elif act == Act.PAUSE:
        data |= {
            "procedure": application.item.special_procedures.values_list("name", flat=True).first() or ""
        }
    elif act == Act.SUPPLY:
        data |= {"owed": "", "upload": png_upload("补交.png")}
    elif act == Act.HAND_OVER:
        data |= {
            "on": timezone.localdate().isoformat(),
            "how": "assistant",
            "signature": signature_data_url(),
        }
    else:
        data |= {"comment": "请审核"}
    return data


def _check_act(client, matrix: Matrix, key: str, act: str, outcome: str) -> None:
    application = Application.objects.select_related("item").get(pk=matrix.applications[key].pk)
    url = reverse("approvals:act", args=[application.pk, act])
    detail = reverse("approvals:detail", args=[application.pk])
    before = _state(application)

    response = client.get(url)
    assert _state(application) == before
    if outcome == "form":
        assert response.status_code == 200
        assert 'name="version"' in _body(response)
    elif outcome == "refused":
        assert _redirects_to(response, detail) and _error_message(response)
    elif outcome == "to_edit":
        assert _redirects_to(response, reverse("approvals:edit", args=[application.pk]))
    else:
        _check_denied(response, application, outcome)

    response = client.post(url, _step_data(application, act, matrix.clerks))
    if outcome == "form":  # the step is taken
        assert _redirects_to(response, detail), _body(response)[:3000]
        return
    assert _state(application) == before
    if outcome == "refused":  # the form again, with the service's message
        assert response.status_code == 400
    elif outcome == "to_edit":
        assert _redirects_to(response, reverse("approvals:edit", args=[application.pk]))
    else:
        _check_denied(response, application, outcome)


def _check_denied(response, application: Application, outcome: str) -> None:
    if outcome == "login":
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
    elif outcome == "hidden":
        assert response.status_code == 404
    else:
        raise AssertionError(f"not a denial: {outcome}")
    _assert_shows_nothing_of(response, application)


def _check_cell(client, matrix: Matrix, key: str, url: str, outcome: str) -> None:
    application = Application.objects.select_related("item").get(pk=matrix.applications[key].pk)
    detail = reverse("approvals:detail", args=[application.pk])
    edit = reverse("approvals:edit", args=[application.pk])
    if url.startswith("act:"):
        _check_act(client, matrix, key, url.removeprefix("act:"), outcome)
        return

    before = _state(application)
    if url == "tracking":
        response = client.get(reverse("tracking:detail", args=[application.number or "0"]))
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("tracking:form")
        _assert_shows_nothing_of(response, application)
        assert _state(application) == before
        return
    if url == "id_number":
        response = client.post(reverse("approvals:id_number", args=[application.pk]))
        after = _state(application)
        if outcome == "revealed":
            assert _redirects_to(response, detail)
            assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1  # the reveal is logged
        else:
            assert after == before
            _check_denied(response, application, outcome)
        return
    if url == "unlock":
        response = client.post(reverse("approvals:unlock", args=[application.pk]))
        locked_at = Application.objects.values_list("tracking_locked_at", flat=True).get(pk=application.pk)
        if outcome == "unlocked":
            assert _redirects_to(response, detail) and not _error_message(response)
            assert locked_at is None
        elif outcome == "refused":
            assert _redirects_to(response, detail) and _error_message(response)
            assert _state(application) == before
        else:
            _check_denied(response, application, outcome)
            assert _state(application) == before
        return

    if url in ("certificate", "revoke", "receipt_pdf"):
        _check_paper(client, matrix, application, url, outcome)
        return
    if url == "item_data":
        _check_correction(client, application, outcome)
        return

    if url.startswith("file:"):
        target = reverse("approvals:file", args=[application.pk, matrix.files[key][int(url[5:])]])
    else:
        target = reverse(f"approvals:{url}", args=[application.pk])
    response = client.get(target)
    assert _state(application) == before
    if outcome == "ok":
        assert response.status_code == 200
        body = _body(response)
        if url.startswith("file:"):
            assert response["Content-Disposition"].startswith("attachment")
            assert body.startswith("\ufffdPNG")
        elif url == "detail":
            assert application.number in body and application.applicant_name in body
        elif url == "receipt":
            assert application.number in body and mask_name(application.applicant_name) in body
        else:  # the draft's form
            assert "<form" in body and application.applicant_name in body
    elif outcome == "to_edit":
        assert _redirects_to(response, edit)
    elif outcome == "to_detail":
        assert _redirects_to(response, detail)
    else:
        _check_denied(response, application, outcome)


def _check_correction(client, application: Application, outcome: str) -> None:
    """The correction page (更正) of the villager's answer "income": opened, then used."""
    url = reverse("approvals:item_data", args=[application.pk, "income"])
    detail = reverse("approvals:detail", args=[application.pk])
    before = _state(application)
    response = client.get(url)
    assert _state(application) == before
    if outcome == "corrected":
        assert response.status_code == 200 and 'name="d-income"' in _body(response)
    elif outcome == "refused":
        assert _redirects_to(response, detail) and _error_message(response)
    else:
        _check_denied(response, application, outcome)
    client.cookies.pop("messages", None)
    response = client.post(url, {"version": application.version, "d-income": "1280", "reason": "村委会证明"})
    after = _state(application)
    if outcome == "corrected":
        assert _redirects_to(response, detail) and not _error_message(response)
        assert after[5] == before[5] + 1  # one event: the correction
        return
    assert after == before
    if outcome == "refused":
        assert _redirects_to(response, detail) and _error_message(response)
    else:
        _check_denied(response, application, outcome)


def _check_paper(client, matrix: Matrix, application: Application, url: str, outcome: str) -> None:
    """The receipt as PDF, appr's certificate (under each application's number) and its revocation."""
    before = _state(application)
    revoked_before = Certificate.objects.filter(pk=matrix.certificate, revoked_at__isnull=False).count()
    if url == "receipt_pdf":
        response = client.get(reverse("approvals:receipt_pdf", args=[application.pk]))
    elif url == "certificate":
        response = client.get(reverse("certificates:download", args=[application.pk, matrix.certificate]))
    else:
        response = client.post(
            reverse("certificates:revoke", args=[application.pk, matrix.certificate]),
            {"reason": "证照信息有误"},
        )
    revoked_after = Certificate.objects.filter(pk=matrix.certificate, revoked_at__isnull=False).count()
    if outcome == "pdf":
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and response["Cache-Control"].startswith("private, no-store")
        assert _state(application) == before
    elif outcome == "revoked":
        assert _redirects_to(response, reverse("approvals:detail", args=[application.pk]))
        assert revoked_after == revoked_before + 1
        assert _state(application)[5] == before[5] + 1  # one event: the revocation
    else:
        assert revoked_after == revoked_before and _state(application) == before
        if outcome == "refused":
            assert _redirects_to(response, reverse("approvals:detail", args=[application.pk]))
            assert _error_message(response)
        else:
            _check_denied(response, application, outcome)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ROLES)
def test_role_on_url(client, matrix, role, url):
    """One row of the table: this person on this URL of each application (one cell each, each in
    its own savepoint so that an allowed step does not change the next cell's application)."""
    if role != "anonymous":
        client.force_login(matrix.people[role])
    wrong = {}
    for key in APPLICATIONS:
        outcome = expected(role, key, url)
        client.cookies.pop("messages", None)  # messages of the previous cell
        try:
            with transaction.atomic():
                _check_cell(client, matrix, key, url, outcome)
                transaction.set_rollback(True)
        except AssertionError as error:
            wrong[key] = f"expected {outcome}: {error}"
    assert not wrong, "\n".join(f"{key}: {problem}" for key, problem in wrong.items())


@pytest.mark.parametrize("page", list(LISTS))
@pytest.mark.parametrize("role", ROLES)
def test_list(client, matrix, role, page):
    """Each list shows exactly the applications the table names, and nothing of the others."""
    if role != "anonymous":
        client.force_login(matrix.people[role])
    # The landing page sends assistants on to their station's list: follow it there.
    response = client.get(reverse(LIST_URLS[page]), follow=page == "inbox")
    assert response.status_code in (200, 302, 403, 404)  # 403: the back-office gate
    body = _body(response)
    shown = set()
    for key, application in matrix.applications.items():
        if page == "admin":
            marks = [f'href="{reverse("application_admin:inspect", args=[application.pk])}"' in body]
        elif page == "export":
            marks = []
        else:
            marks = [f'href="{reverse("approvals:detail", args=[application.pk])}"' in body]
        if application.number:
            marks.append(application.number in body)
        if any(marks):
            assert all(marks), (key, marks)
            shown.add(key)
        else:
            _assert_shows_nothing_of(response, application)
    assert shown == LISTS[page].get(role, set())


def test_a_villager_sees_only_the_application_they_looked_up(client, matrix):
    """The one way to tracking:detail: the number and 4 digits, after the lock is lifted."""
    a1, b1 = matrix.applications["a1"], matrix.applications["b1"]
    detail = reverse("tracking:detail", args=[a1.number])
    lookup = {"number": a1.number, "last4": a1.applicant_mobile[-4:]}
    client.post(reverse("tracking:form"), lookup)
    assert client.get(detail).status_code == 302  # locked: nothing shown yet

    staff = type(client)()
    staff.force_login(matrix.people["assistant_a1"])
    staff.post(reverse("approvals:unlock", args=[a1.pk]))
    response = client.post(reverse("tracking:form"), lookup)
    assert _redirects_to(response, detail)
    response = client.get(detail)
    assert response.status_code == 200
    body = _body(response)
    assert mask_name(a1.applicant_name) in body and a1.applicant_name not in body
    other = client.get(reverse("tracking:detail", args=[b1.number]))
    assert urlsplit(other["Location"]).path == reverse("tracking:form")
    _assert_shows_nothing_of(other, b1)
