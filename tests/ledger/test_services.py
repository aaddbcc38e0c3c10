"""The ledger's services: every transition and every refusal, numbering, the promise, overdue,
closing only on the villager's word, reopening on "not done", and the events and texts each
change writes.

World: township A (centre A; villages A1 with assistant_a1, A2 without an assistant) and
township B (centre B; village B1 with assistant_b1); supervisor_a and clerk_a at centre A,
clerk_b at centre B; county_admin over the county, township_admin_a over township A."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ledger import public, selectors, services
from ledger.models import ClosedVia, Helper, Kind, LedgerEvent, LedgerItem, LedgerPhoto, Source
from ledger.states import TRANSITIONS, Act, State
from portal.errors import DomainError, NotPermitted
from portal.outbox.models import OutboxMessage
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt
from tests.ledger.conftest import VILLAGER_MOBILE, checked_photo, in_days

pytestmark = pytest.mark.django_db


def acts_of(item: LedgerItem) -> list[str]:
    return list(item.events.order_by("at", "pk").values_list("act", flat=True))


def last_event(item: LedgerItem) -> LedgerEvent:
    return item.events.order_by("-at", "-pk").first()


# -- registering and numbering --------------------------------------------------------------------


class TestRegister:
    def test_the_assistant_registers_with_a_number_per_township_and_year(self, ledger, world):
        first = ledger.registered("a1")
        second = ledger.registered("a1", name="王秀英")
        other_township = ledger.registered("b1")
        year = timezone.localdate().year
        assert first.number == f"W120115121-{year}-0001"
        assert second.number == f"W120115121-{year}-0002"
        assert other_township.number == f"W120115111-{year}-0001"
        assert first.state == State.REGISTERED
        assert first.office == world.centre_a and first.station == world.station_a1
        assert first.registered_by == world.assistant_a1 and first.source == Source.ASSISTANT

    def test_registering_writes_the_event_and_texts_the_number(self, ledger, world):
        item = ledger.registered("a1")
        event = last_event(item)
        assert (event.act, event.from_state, event.to_state) == (Act.REGISTER, "", State.REGISTERED)
        assert event.actor == world.assistant_a1 and event.actor_office == world.station_a1
        message = OutboxMessage.objects.get(reference=item.number)
        assert message.to_mobile == VILLAGER_MOBILE and item.number in message.body

    @pytest.mark.parametrize("who", ["assistant_b1", "clerk_a", "supervisor_a", "county_admin", "outsider"])
    def test_only_the_villages_assistant_registers(self, world, who):
        with pytest.raises(NotPermitted):
            services.ledger_item_register(
                actor=getattr(world, who),
                village=world.village_a1,
                villager_name="张小明",
                villager_mobile=VILLAGER_MOBILE,
                need="路灯坏了",
            )
        assert not LedgerItem.objects.exists()

    @pytest.mark.parametrize(
        ("name", "mobile", "need", "message"),
        [
            ("", VILLAGER_MOBILE, "路灯坏了", "name"),
            ("张小明", "12345", "路灯坏了", "11 digits"),
            ("张小明", VILLAGER_MOBILE, "   ", "needed"),
            ("张小明", VILLAGER_MOBILE, "x" * 1001, "1000"),
        ],
    )
    def test_bad_input_is_refused_with_a_sentence(self, world, name, mobile, need, message):
        with pytest.raises(DomainError, match=message):
            services.ledger_item_register(
                actor=world.assistant_a1,
                village=world.village_a1,
                villager_name=name,
                villager_mobile=mobile,
                need=need,
            )

    def test_a_township_is_not_a_village(self, world):
        with pytest.raises(DomainError, match="village"):
            services.ledger_item_submit(
                village=world.township_a,
                villager_name="张小明",
                villager_mobile=VILLAGER_MOBILE,
                need="x",
                address=None,
            )

    def test_a_mobile_is_normalised(self, world):
        item = services.ledger_item_register(
            actor=world.assistant_a1,
            village=world.village_a1,
            villager_name=" 张  小明 ",
            villager_mobile="+86 138-1234-5678",
            need="路灯",
            kind=Kind.NEED,
        )
        assert (item.villager_name, item.villager_mobile, item.kind) == (
            "张 小明",
            VILLAGER_MOBILE,
            Kind.NEED,
        )

    def test_the_same_form_twice_registers_once(self, world):
        token = uuid.uuid4()
        kwargs = {
            "actor": world.assistant_a1,
            "village": world.village_a1,
            "villager_name": "张小明",
            "villager_mobile": VILLAGER_MOBILE,
            "need": "路灯",
            "client_token": token,
        }
        first = services.ledger_item_register(**kwargs)
        again = services.ledger_item_register(**kwargs)
        assert first.pk == again.pk and LedgerItem.objects.count() == 1 and LedgerEvent.objects.count() == 1

    def test_a_photo_is_kept_privately_with_the_registration(self, world):
        item = services.ledger_item_register(
            actor=world.assistant_a1,
            village=world.village_a1,
            villager_name="张小明",
            villager_mobile=VILLAGER_MOBILE,
            need="路灯",
            photo=checked_photo("路灯.png"),
        )
        photo = LedgerPhoto.objects.get(item=item)
        assert photo.content_type == "image/png" and photo.display_name == "路灯.png"
        assert photo.event == last_event(item) and not photo.file.name.endswith("路灯.png")

    def test_a_pdf_is_not_a_photo(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from portal.demo.applications import letter_pdf

        with pytest.raises(ValidationError) as error:
            services.photo_check(SimpleUploadedFile("x.pdf", letter_pdf("x", ["y"]), "application/pdf"))
        assert error.value.code == "not_a_photo"


class TestPublicSubmission:
    def test_a_villager_submits_without_a_login(self, world):
        item = services.ledger_item_submit(
            village=world.village_a2,
            villager_name="赵玉兰",
            villager_mobile=VILLAGER_MOBILE,
            need="x",
            address="192.0.2.7",
        )
        assert item.registered_by is None and item.source == Source.PUBLIC_FORM
        assert item.station == world.station_a2
        event = last_event(item)
        assert event.actor is None and event.actor_role == "villager" and event.actor_office is None

    def test_an_address_sends_five_a_day(self, world, settings):
        settings.CUNBAN_LEDGER_SUBMISSIONS_PER_DAY = 5
        for n in range(5):
            services.ledger_item_submit(
                village=world.village_a2,
                villager_name=f"村民{n}",
                villager_mobile=VILLAGER_MOBILE,
                need="x",
                address="192.0.2.7",
            )
        with pytest.raises(public.PublicLimitReached, match="tomorrow"):
            services.ledger_item_submit(
                village=world.village_a2,
                villager_name="村民",
                villager_mobile=VILLAGER_MOBILE,
                need="x",
                address="192.0.2.7",
            )
        # another address is not held up, and yesterday's do not count
        services.ledger_item_submit(
            village=world.village_a2,
            villager_name="村民",
            villager_mobile=VILLAGER_MOBILE,
            need="x",
            address="192.0.2.8",
        )
        Attempt.objects.filter(scope=Scope.LEDGER_SUBMIT).update(
            at=timezone.now() - datetime.timedelta(days=2)
        )
        services.ledger_item_submit(
            village=world.village_a2,
            villager_name="村民",
            villager_mobile=VILLAGER_MOBILE,
            need="x",
            address="192.0.2.7",
        )
        assert LedgerItem.objects.count() == 7


# -- the promise ----------------------------------------------------------------------------------


class TestAssign:
    def test_the_supervisor_assigns_to_a_clerk_with_a_promise(self, ledger, world):
        item = ledger.in_progress("a1", promised_on=in_days(3))
        assert item.state == State.IN_PROGRESS
        assert (item.assignee, item.assignee_office, item.helper) == (
            world.clerk_a,
            world.centre_a,
            Helper.STAFF,
        )
        assert item.promise == "三天内修好路灯" and item.promised_on == in_days(3) and item.promised_at
        event = last_event(item)
        assert (event.act, event.from_state, event.to_state, event.actor) == (
            Act.ASSIGN,
            State.REGISTERED,
            State.IN_PROGRESS,
            world.supervisor_a,
        )
        assert event.data["promised_on"] == in_days(3).isoformat()
        bodies = list(OutboxMessage.objects.filter(reference=item.number).values_list("body", flat=True))
        assert any("三天内修好路灯" in body for body in bodies)  # the villager hears of the promise
        assert OutboxMessage.objects.filter(to_user=world.clerk_a, reference=item.number).exists()

    def test_to_an_assistant_of_the_township(self, ledger, world):
        item = ledger.in_progress("a1", to=world.assistant_a1)
        assert item.assignee_office == world.station_a1

    def test_never_to_staff_of_another_township(self, ledger, world):
        item = ledger.registered("a1")
        with pytest.raises(DomainError, match="not on the staff"):
            services.ledger_item_assign(
                actor=world.supervisor_a, item=item, to=world.clerk_b, promise="修", promised_on=in_days(2)
            )
        item.refresh_from_db()
        assert item.state == State.REGISTERED and acts_of(item) == [Act.REGISTER]

    def test_to_a_volunteer_or_an_organisation(self, ledger):
        item = ledger.to_volunteer("a1")
        assert (item.assignee, item.helper, item.helper_name) == (None, Helper.VOLUNTEER, "李志愿")
        organisation = ledger.to_volunteer(
            "a1", helper=Helper.ORGANISATION, helper_name="宝坻区青年志愿者协会"
        )
        assert organisation.helper == Helper.ORGANISATION

    @pytest.mark.parametrize(
        ("promise", "days", "message"),
        [
            ("", 3, "what is promised"),
            ("修", -1, "past"),
            ("修", 400, "within a year"),
            ("x" * 301, 3, "300"),
        ],
    )
    def test_a_promise_needs_words_and_a_sensible_date(self, ledger, world, promise, days, message):
        item = ledger.registered("a1")
        with pytest.raises(DomainError, match=message):
            services.ledger_item_assign(
                actor=world.supervisor_a,
                item=item,
                to=world.clerk_a,
                promise=promise,
                promised_on=in_days(days),
            )

    @pytest.mark.parametrize(
        "who",
        ["clerk_a", "assistant_a1", "clerk_b", "township_admin_a", "county_admin", "officer_d1", "outsider"],
    )
    def test_only_the_supervisor_assigns(self, ledger, world, who):
        item = ledger.registered("a1")
        with pytest.raises(NotPermitted):
            services.ledger_item_assign(
                actor=getattr(world, who), item=item, to=world.clerk_a, promise="修", promised_on=in_days(2)
            )

    def test_reassigning_keeps_the_old_promise_in_the_history(self, ledger, world):
        item = ledger.in_progress("a1", promised_on=in_days(3))
        item = services.ledger_item_assign(
            actor=world.supervisor_a,
            item=item,
            to=world.assistant_a1,
            promise="换人修",
            promised_on=in_days(5),
        )
        event = last_event(item)
        assert (event.from_state, event.to_state) == (State.IN_PROGRESS, State.IN_PROGRESS)
        assert event.data["before"]["promise"] == "三天内修好路灯"
        assert event.data["before"]["assignee"] == world.clerk_a.pk
        assert item.assignee == world.assistant_a1 and item.promised_on == in_days(5)


class TestClaim:
    @pytest.mark.parametrize(
        ("who", "office"),
        [("clerk_a", "centre_a"), ("supervisor_a", "centre_a"), ("assistant_a1", "station_a1")],
    )
    def test_a_clerk_or_the_villages_assistant_claims(self, ledger, world, who, office):
        item = ledger.registered("a1")
        item = services.ledger_item_claim(
            actor=getattr(world, who), item=item, promise="周末修", promised_on=in_days(2)
        )
        assert item.assignee == getattr(world, who) and item.assignee_office == getattr(world, office)
        assert last_event(item).act == Act.CLAIM

    def test_recording_a_volunteers_claim(self, ledger, world):
        item = services.ledger_item_claim(
            actor=world.assistant_a1,
            item=ledger.registered("a1"),
            promise="帮卖羊",
            promised_on=in_days(4),
            helper=Helper.VOLUNTEER,
            helper_name="王志愿",
        )
        assert (item.assignee, item.helper, item.helper_name) == (
            world.assistant_a1,
            Helper.VOLUNTEER,
            "王志愿",
        )

    @pytest.mark.parametrize(
        "who",
        ["assistant_b1", "clerk_b", "officer_d1", "county_admin", "township_admin_a", "editor", "outsider"],
    )
    def test_nobody_else_claims(self, ledger, world, who):
        item = ledger.registered("a1")
        with pytest.raises(NotPermitted):
            services.ledger_item_claim(
                actor=getattr(world, who), item=item, promise="修", promised_on=in_days(2)
            )

    def test_a_claimed_item_is_not_claimed_twice(self, ledger, world):
        item = ledger.in_progress("a1")
        with pytest.raises(DomainError, match="not possible now"):
            services.ledger_item_claim(
                actor=world.assistant_a1, item=item, promise="修", promised_on=in_days(2)
            )

    def test_a_stale_page_is_told_so(self, ledger, world):
        item = ledger.registered("a1")
        seen = item.version
        services.ledger_item_note(actor=world.assistant_a1, item=item, comment="已电话联系")
        with pytest.raises(services.LedgerItemChanged):
            services.ledger_item_claim(
                actor=world.clerk_a, item=item, promise="修", promised_on=in_days(2), expected_version=seen
            )


# -- work -----------------------------------------------------------------------------------------


class TestWork:
    @pytest.mark.parametrize("who", ["clerk_a", "supervisor_a", "assistant_a1"])
    def test_notes_by_the_assignee_the_supervisor_or_the_assistant(self, ledger, world, who):
        item = ledger.in_progress("a1")
        event = services.ledger_item_note(
            actor=getattr(world, who), item=item, comment="材料已买好", photo=checked_photo()
        )
        assert (event.act, event.from_state, event.to_state) == (
            Act.NOTE,
            State.IN_PROGRESS,
            State.IN_PROGRESS,
        )
        assert event.photos.count() == 1

    def test_a_clerk_who_is_not_the_assignee_writes_no_note(self, ledger, world):
        item = ledger.in_progress("a1", to=world.assistant_a1)
        with pytest.raises(NotPermitted):
            services.ledger_item_note(actor=world.clerk_a, item=item, comment="x")

    def test_a_note_says_something(self, ledger, world):
        with pytest.raises(DomainError, match="done so far"):
            services.ledger_item_note(actor=world.clerk_a, item=ledger.in_progress("a1"), comment="  ")

    def test_marking_done_asks_the_villager_to_confirm(self, ledger, world):
        item = ledger.done("a1")
        assert item.state == State.DONE and item.done_at is not None and item.closed_at is None
        assert not item.finished_late
        asked = OutboxMessage.objects.get(reference=item.number, topic="ledger-mark-done")
        assert asked.to_mobile == VILLAGER_MOBILE and item.number in asked.body

    def test_done_late_is_remembered(self, ledger, world):
        item = ledger.overdue("a1")
        item = services.ledger_item_mark_done(actor=world.clerk_a, item=item)
        assert item.finished_late and last_event(item).data["late"] is True

    @pytest.mark.parametrize("who", ["clerk_b", "assistant_b1", "officer_d1", "county_admin", "outsider"])
    def test_outsiders_mark_nothing_done(self, ledger, world, who):
        item = ledger.in_progress("a1")
        with pytest.raises(NotPermitted):
            services.ledger_item_mark_done(actor=getattr(world, who), item=item)

    def test_a_volunteers_promise_is_followed_up_by_the_supervisor_or_the_assistant(self, ledger, world):
        item = ledger.to_volunteer("a1")
        with pytest.raises(NotPermitted):
            services.ledger_item_mark_done(actor=world.clerk_a, item=item)
        item = services.ledger_item_mark_done(actor=world.assistant_a1, item=item)
        assert item.state == State.DONE


# -- closing (销号) and reopening -------------------------------------------------------------------


class TestClose:
    def test_only_the_villagers_word_reaches_closed(self):
        into_closed = {t.act for t in TRANSITIONS if t.target == State.CLOSED}
        assert into_closed == {Act.CONFIRM, Act.RECORD_CONFIRMATION}

    def test_the_villager_confirms_online(self, ledger):
        item = ledger.closed("a1")
        assert item.state == State.CLOSED and item.closed_via == ClosedVia.ONLINE and item.closed_at
        event = last_event(item)
        assert (event.act, event.from_state, event.to_state) == (Act.CONFIRM, State.DONE, State.CLOSED)
        assert event.actor is None and event.actor_role == "villager"

    def test_the_assistant_records_the_confirmation(self, ledger, world):
        item = services.ledger_item_record_confirmation(actor=world.assistant_a1, item=ledger.done("a1"))
        assert item.state == State.CLOSED and item.closed_via == ClosedVia.ASSISTANT
        assert last_event(item).actor == world.assistant_a1

    @pytest.mark.parametrize(
        "who", ["supervisor_a", "clerk_a", "township_admin_a", "county_admin", "assistant_b1"]
    )
    def test_nobody_else_closes(self, ledger, world, who):
        item = ledger.done("a1")
        with pytest.raises(NotPermitted):
            services.ledger_item_record_confirmation(actor=getattr(world, who), item=item)
        item.refresh_from_db()
        assert item.state == State.DONE

    def test_a_villager_cannot_confirm_what_is_not_done(self, ledger):
        with pytest.raises(DomainError, match="not possible now"):
            services.ledger_item_villager_answer(item=ledger.in_progress("a1"), done=True)

    def test_not_done_reopens_it_with_the_villagers_words(self, ledger):
        item = ledger.done("a1")
        item = services.ledger_item_villager_answer(item=item, done=False, comment="路灯还是不亮")
        assert item.state == State.IN_PROGRESS and item.done_at is None and item.reopened_count == 1
        event = last_event(item)
        assert (event.act, event.from_state, event.to_state) == (Act.NOT_DONE, State.DONE, State.IN_PROGRESS)
        assert event.comment == "路灯还是不亮" and event.actor is None
        assert OutboxMessage.objects.filter(to_user=item.assignee, body__contains="路灯还是不亮").exists()
        # back to work: done again, then confirmed
        item = services.ledger_item_mark_done(actor=item.assignee, item=item)
        item = services.ledger_item_villager_answer(item=item, done=True)
        assert acts_of(item) == [
            Act.REGISTER,
            Act.ASSIGN,
            Act.MARK_DONE,
            Act.NOT_DONE,
            Act.MARK_DONE,
            Act.CONFIRM,
        ]

    def test_not_done_needs_to_say_what(self, ledger):
        with pytest.raises(DomainError, match="still not done"):
            services.ledger_item_villager_answer(item=ledger.done("a1"), done=False, comment=" ")

    def test_the_assistant_records_not_done(self, ledger, world):
        item = services.ledger_item_record_not_done(
            actor=world.assistant_a1, item=ledger.done("a1"), comment="没修好"
        )
        assert item.state == State.IN_PROGRESS and item.reopened_count == 1
        with pytest.raises(NotPermitted):
            services.ledger_item_record_not_done(actor=world.clerk_a, item=ledger.done("a1"), comment="x")

    def test_a_staff_login_gives_no_villagers_answer(self, ledger, world):
        locked = LedgerItem.objects.get(pk=ledger.done("a1").pk)
        with pytest.raises(NotPermitted):
            services._check(locked, Act.CONFIRM, world.assistant_a1, None)


class TestCancel:
    @pytest.mark.parametrize("who", ["supervisor_a", "township_admin_a", "county_admin"])
    def test_the_supervisor_or_an_administrator_cancels_with_a_reason(self, ledger, world, who):
        item = services.ledger_item_cancel(
            actor=getattr(world, who), item=ledger.in_progress("a1"), reason="重复登记"
        )
        assert item.state == State.CANCELLED and item.cancel_reason == "重复登记" and item.cancelled_at
        assert last_event(item).act == Act.CANCEL

    @pytest.mark.parametrize("who", ["clerk_a", "assistant_a1", "clerk_b", "outsider"])
    def test_others_do_not(self, ledger, world, who):
        with pytest.raises(NotPermitted):
            services.ledger_item_cancel(actor=getattr(world, who), item=ledger.registered("a1"), reason="x")

    def test_a_reason_is_needed_and_done_items_stay(self, ledger, world):
        with pytest.raises(DomainError, match="reason"):
            services.ledger_item_cancel(actor=world.supervisor_a, item=ledger.registered("a1"), reason="")
        with pytest.raises(DomainError, match="not possible now"):
            services.ledger_item_cancel(actor=world.supervisor_a, item=ledger.done("a1"), reason="x")


# -- reading --------------------------------------------------------------------------------------


class TestOverdueAndOpen:
    def test_overdue_is_in_progress_past_the_promised_date(self, ledger):
        overdue = ledger.overdue("a1")
        on_time = ledger.in_progress("a1")
        due_today = ledger.in_progress("a1", promised_on=timezone.localdate())
        done_late = ledger.overdue("a1")
        services.ledger_item_mark_done(actor=done_late.assignee, item=done_late)
        assert overdue.is_overdue() and not on_time.is_overdue() and not due_today.is_overdue()
        found = set(selectors.overdue_items(LedgerItem.objects.all()).values_list("pk", flat=True))
        assert found == {overdue.pk}

    def test_open_items_are_neither_closed_nor_cancelled(self, ledger):
        keep = {ledger.registered("a1").pk, ledger.in_progress("a1").pk, ledger.done("a1").pk}
        ledger.closed("a1")
        ledger.cancelled("a1")
        assert set(selectors.open_items(LedgerItem.objects.all()).values_list("pk", flat=True)) == keep


class TestEvents:
    def test_every_change_is_one_event(self, ledger, world):
        item = ledger.registered("a1")
        steps = [
            lambda: services.ledger_item_note(actor=world.assistant_a1, item=item, comment="已记下"),
            lambda: services.ledger_item_claim(
                actor=world.clerk_a, item=item, promise="修", promised_on=in_days(2)
            ),
            lambda: services.ledger_item_note(actor=world.clerk_a, item=item, comment="买了灯泡"),
            lambda: services.ledger_item_mark_done(actor=world.clerk_a, item=item),
            lambda: services.ledger_item_record_not_done(actor=world.assistant_a1, item=item, comment="不亮"),
            lambda: services.ledger_item_mark_done(actor=world.clerk_a, item=item),
            lambda: services.ledger_item_record_confirmation(actor=world.assistant_a1, item=item),
        ]
        for number, step in enumerate(steps, start=2):
            step()
            assert item.events.count() == number
        item.refresh_from_db()
        assert item.version == len(steps) + 1
        assert acts_of(item) == [
            Act.REGISTER,
            Act.NOTE,
            Act.CLAIM,
            Act.NOTE,
            Act.MARK_DONE,
            Act.RECORD_NOT_DONE,
            Act.MARK_DONE,
            Act.RECORD_CONFIRMATION,
        ]

    def test_events_are_append_only(self, ledger):
        event = last_event(ledger.registered("a1"))
        event.comment = "changed"
        with pytest.raises(ValidationError):
            event.save()
        with pytest.raises(ValidationError):
            event.delete()

    def test_a_refused_step_writes_nothing(self, ledger, world):
        item = ledger.registered("a1")
        before = (LedgerEvent.objects.count(), OutboxMessage.objects.count())
        with pytest.raises(NotPermitted):
            services.ledger_item_claim(actor=world.clerk_b, item=item, promise="修", promised_on=in_days(2))
        assert (LedgerEvent.objects.count(), OutboxMessage.objects.count()) == before
