"""200 pairs of conflicting actions at the same moment, on PostgreSQL's row locks (issue 8, part 3).

Fifty rounds; each round releases eight threads, on their own connections, through one barrier:
four pairs, one of each kind — approve ∥ reject (every other round through the pages, two
logged-in clients), accept ∥ return with a one-time notice, approve ∥ withdraw, and two
revoke-and-reissue of one approved application's certificate. The approvals and reissues of a
round all take centre A's next certificate serial at once. Per pair: one winner, the application
in the winner's state, one event for the winning act and none for the loser, and the loser told
"已被处理" (in English or Chinese) rather than any other error. Across all pairs: no double
decision, no duplicate or missing serial.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from approvals import services
from approvals.models import Application, ApplicationEvent, Notice
from approvals.services import MissingItem
from approvals.states import Act, State
from certificates import services as certificate_services
from certificates.models import Certificate, CertificateSequence
from portal.errors import DomainError
from tests.approvals.conftest import cases, items, residents  # noqa: F401
from tests.certificates.conftest import certified  # noqa: F401
from tests.services_catalog.conftest import delegate, dibao, guide  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROUNDS = 50
REFUSED = "已被处理"
ENGLISH_REFUSALS = ("has changed since you opened it", "is not possible now", "was already revoked on")
CHINESE_REFUSALS = ("在您打开后已被处理", "已被处理，现在是", "撤销。（已被处理）")
DECISIONS = (Act.ACCEPT, Act.RETURN, Act.APPROVE, Act.REJECT, Act.WITHDRAW, Act.REVOKE_CERTIFICATE)


@dataclass
class Outcome:
    act: str
    status: str  # "done", "refused" (the service's refusal) or "error" (anything else)
    message: str = ""


class PageRefusal(Exception):
    """The step page came back with the refusal on the form (the loser's page)."""


@dataclass
class Pair:
    kind: str
    application: Application
    actions: list[tuple[str, Callable[[], object]]]
    winner_state: dict[str, str]
    lang: str
    http: bool = False
    outcomes: list[Outcome] | None = None


def run_together(actions: list[tuple[str, str, Callable[[], object]]]) -> list[Outcome]:
    """Run (act, language, action) triples in threads released by one barrier; one outcome each."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[Outcome | None] = [None] * len(actions)

    def run(index: int, act: str, lang: str, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=60)
            with translation.override(lang):
                action()
            outcomes[index] = Outcome(act, "done")
        except (DomainError, PageRefusal) as error:
            outcomes[index] = Outcome(act, "refused", str(error))
        except Exception as error:
            outcomes[index] = Outcome(act, "error", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, *triple)) for i, triple in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [o if o is not None else Outcome("?", "error", "thread did not finish") for o in outcomes]


def page_post(client: Client, url: str, data: dict) -> None:
    """POST a step form as the browser would; a redirect is success, the form again a refusal."""
    response = client.post(url, data)
    if response.status_code == 302:
        return
    html = response.content.decode()
    errors = response.context["form"].non_field_errors() if response.context else []
    if response.status_code == 400 and errors and str(errors[0]) in html.replace("&quot;", '"'):
        raise PageRefusal(str(errors[0]))
    raise AssertionError(f"unexpected page {response.status_code}: {html[:300]}")


def test_200_conflicting_pairs_have_one_winner_each(cases, certified, world, capsys):  # noqa: F811
    started = time.monotonic()
    dibao_item = certified["dibao"]
    material = dibao_item.materials.first()
    clerk_page, supervisor_page = Client(), Client()
    clerk_page.force_login(world.clerk_a)
    supervisor_page.force_login(world.supervisor_a)
    clerk_page.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    supervisor_page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    # -- the applications, through the services, before any race ---------------------------------
    to_decide = [cases.accepted() for _ in range(ROUNDS)]
    to_accept = [cases.submitted() for _ in range(ROUNDS)]
    to_withdraw = [cases.accepted() for _ in range(ROUNDS)]
    to_reissue = [
        services.application_approve(actor=world.clerk_a, application=cases.accepted()) for _ in range(ROUNDS)
    ]
    built = time.monotonic() - started

    pairs: list[Pair] = []
    for n in range(ROUNDS):
        lang = "en" if n % 2 else "zh-hans"
        versioned = n % 4 < 2  # half the service calls carry the version the page showed
        app = to_decide[n]
        if n % 2 == 0:  # through the pages: the clerk approves, the supervisor refuses
            url = partial(lambda pk, act: reverse("approvals:act", args=[pk, act]), app.pk)
            decide = [
                (Act.APPROVE, partial(page_post, clerk_page, url(Act.APPROVE), {"version": app.version})),
                (
                    Act.REJECT,
                    partial(
                        page_post,
                        supervisor_page,
                        url(Act.REJECT),
                        {"version": app.version, "reason": "收入超标", "basis": "《社会救助暂行办法》第九条"},
                    ),
                ),
            ]
        else:
            version = {"expected_version": app.version} if versioned else {}
            decide = [
                (
                    Act.APPROVE,
                    partial(services.application_approve, actor=world.clerk_a, application=app, **version),
                ),
                (
                    Act.REJECT,
                    partial(
                        services.application_reject,
                        actor=world.supervisor_a,
                        application=app,
                        reason="收入超标",
                        basis="《社会救助暂行办法》第九条",
                        **version,
                    ),
                ),
            ]
        pairs.append(
            Pair(
                "approve∥reject",
                app,
                decide,
                {Act.APPROVE: State.APPROVED, Act.REJECT: State.REJECTED},
                lang,
                http=n % 2 == 0,
            )
        )

        app = to_accept[n]
        version = {"expected_version": app.version} if versioned else {}
        pairs.append(
            Pair(
                "accept∥return",
                app,
                [
                    (
                        Act.ACCEPT,
                        partial(services.application_accept, actor=world.clerk_a, application=app, **version),
                    ),
                    (
                        Act.RETURN,
                        partial(
                            services.application_return,
                            actor=world.supervisor_a,
                            application=app,
                            items=[MissingItem(material, "模糊，请重新拍照")],
                            **version,
                        ),
                    ),
                ],
                {Act.ACCEPT: State.ACCEPTED, Act.RETURN: State.RETURNED},
                lang,
            )
        )

        app = to_withdraw[n]
        version = {"expected_version": app.version} if versioned else {}
        pairs.append(
            Pair(
                "approve∥withdraw",
                app,
                [
                    (
                        Act.APPROVE,
                        partial(
                            services.application_approve, actor=world.clerk_a, application=app, **version
                        ),
                    ),
                    (
                        Act.WITHDRAW,
                        partial(
                            services.application_withdraw,
                            actor=world.assistant_a1,
                            application=app,
                            reason="村民不办了",
                            **version,
                        ),
                    ),
                ],
                {Act.APPROVE: State.APPROVED, Act.WITHDRAW: State.WITHDRAWN},
                lang,
            )
        )

        app = to_reissue[n]
        certificate = Certificate.objects.get(application=app)
        reissue = partial(
            certificate_services.certificate_revoke,
            actor=world.supervisor_a,
            certificate=certificate,
            reason="姓名有误",
            reissue=True,
        )
        pairs.append(
            Pair(
                "reissue∥reissue",
                app,
                [(Act.REVOKE_CERTIFICATE, reissue), (Act.REVOKE_CERTIFICATE, reissue)],
                {Act.REVOKE_CERTIFICATE: State.APPROVED},
                lang,
            )
        )

    # -- the races: 50 rounds of 8 threads --------------------------------------------------------
    raced = time.monotonic()
    for n in range(ROUNDS):
        round_pairs = pairs[4 * n : 4 * n + 4]
        triples = [(act, pair.lang, action) for pair in round_pairs for act, action in pair.actions]
        outcomes = run_together(triples)
        for i, pair in enumerate(round_pairs):
            pair.outcomes = outcomes[2 * i : 2 * i + 2]
    race_seconds = time.monotonic() - raced

    # -- per pair ---------------------------------------------------------------------------------
    double_decisions = 0
    winners: dict[str, int] = {}
    for pair in pairs:
        statuses = sorted(o.status for o in pair.outcomes)
        assert statuses == ["done", "refused"], (pair.kind, pair.outcomes)
        winner = next(o for o in pair.outcomes if o.status == "done")
        loser = next(o for o in pair.outcomes if o.status == "refused")
        winners[f"{pair.kind}:{winner.act}"] = winners.get(f"{pair.kind}:{winner.act}", 0) + 1
        assert REFUSED in loser.message, (pair.kind, loser)
        english = (
            loser.act == Act.REJECT if pair.http else pair.lang == "en"
        )  # the supervisor's page is English
        if english:
            assert loser.message.endswith("(已被处理)"), loser.message
            assert any(words in loser.message for words in ENGLISH_REFUSALS), loser.message
        else:
            assert any(words in loser.message for words in CHINESE_REFUSALS), loser.message
        app = Application.objects.get(pk=pair.application.pk)
        assert app.state == pair.winner_state[winner.act], (pair.kind, winner, app.state)
        events = ApplicationEvent.objects.filter(application=app)
        decided = events.filter(act__in=[act for act, _action in pair.actions])
        if pair.kind == "reissue∥reissue":
            assert decided.count() == 1
            assert events.filter(act=Act.ISSUE_CERTIFICATE).count() == 2  # the original and one reissue
            papers = Certificate.objects.filter(application=app)
            assert papers.count() == 2 and papers.filter(revoked_at__isnull=True).count() == 1
            assert papers.get(revoked_at__isnull=True).replaces_id == papers.get(revoked_at__isnull=False).pk
        else:
            assert decided.filter(act=winner.act).count() == 1, (pair.kind, winner)
            assert not decided.filter(act=loser.act).exists(), (pair.kind, loser)
            issued = 1 if winner.act == Act.APPROVE else 0
            assert events.filter(act=Act.ISSUE_CERTIFICATE).count() == issued
            assert Certificate.objects.filter(application=app).count() == issued
        if pair.kind == "accept∥return":
            notices = Notice.objects.filter(application=app, kind=Notice.Kind.SUPPLEMENT).count()
            assert notices == (1 if winner.act == Act.RETURN else 0)
        finals = events.filter(act__in=DECISIONS).values_list("act", flat=True)
        expected = {"accept∥return": 1, "reissue∥reissue": 3}.get(pair.kind, 2)  # accept + the one winner
        if len(finals) != expected:
            double_decisions += 1

    # -- across all pairs -------------------------------------------------------------------------
    serials = list(Certificate.objects.values_list("licence_number", flat=True))
    duplicates = len(serials) - len(set(serials))
    year = timezone.localdate().year
    numbers = sorted(int(serial.split("〕")[1].rstrip("号")) for serial in serials)
    assert numbers == list(range(1, len(serials) + 1))  # no serial shared, none skipped
    assert CertificateSequence.objects.get(office=world.centre_a, year=year).last == len(serials)
    assert double_decisions == 0
    assert duplicates == 0
    assert sum(winners.values()) == len(pairs) == 4 * ROUNDS
    total = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\n{len(pairs)} pairs, {double_decisions} double decisions, {duplicates} duplicate serials "
            f"({len(serials)} certificates issued); winners {dict(sorted(winners.items()))}; "
            f"built in {built:.1f}s, raced in {race_seconds:.1f}s, {total:.1f}s in all"
        )
