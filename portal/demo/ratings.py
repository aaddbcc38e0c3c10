"""Demo ratings (好差评): every level, a rectification in each state, appeals.

The decided demo applications that may be rated (decided, and handed over where there is a
certificate) are taken oldest first and each gets the next story below, told through the
services with the clock set to each step's moment like the demo applications' steps. So the
oldest bad rating is past its 15 working days and shows as overdue on the supervisor's list,
and the county administrator has an appeal waiting.

When things happen, so that every story holds whatever today's weekday or holiday:
- the villager rates on the working day after the last step of the application (the decision,
  or the hand-over of the certificate: a paper not yet handed over cannot be rated);
- the office's steps (answer, appeal) and the county's (the revisit by its 政务服务 office, the
  decision on an appeal) follow one a working day,
  as the working-day deadlines count;
- a villager who changes their mind does so the same afternoon: the change window is counted
  in hours (`QualitySettings.change_window_hours`), not working days, so "the next working day"
  after a Friday or before the Spring Festival would be too late.
Every step lies on a working day before today (the stories are sized for the applications'
decision days); a step that would not is a mistake in the tables and stops the load.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from approvals.models import Application
from portal.offices.models import Office
from portal.people.models import User
from ratings import services
from ratings.models import QualitySettings, Rating
from ratings.services import rating_blocker

from . import county_data
from .applications import CASES, Days, case_token, clock_at


@dataclass(frozen=True)
class Story:
    level: int
    reasons: tuple[str, ...] = ()
    comment: str = ""
    assistant_level: int | None = None
    channel: str = "tracking"
    then: tuple[str, ...] = ()  # answer, revisit_yes, revisit_no, appeal, set_aside, uphold, change_good


# Oldest decision first: the first bad rating is overdue by now.
STORIES = (
    Story(1, ("slow", "trips"), "跑了三趟才办完，窗口说材料不全但没一次说清楚。", 4),
    Story(2, ("unclear",), "办理时限没讲清楚。", 5, "assistant", ("answer", "revisit_yes")),
    Story(1, ("disagree",), "凭什么不批！", 3, "tracking", ("appeal", "set_aside")),
    Story(5, ("fast", "friendly", "no_errands"), "代办员上门帮忙，一次都没跑。", 5, "qr"),
    Story(2, ("attitude",), "窗口态度不好。", 4, "tracking", ("answer", "appeal")),
    Story(3, (), "还可以。", 4, "paper"),
    Story(2, ("slow",), "等得久。", 4, "tracking", ("change_good",)),
    Story(4, ("fast",), "", 5),
    Story(2, ("trips",), "多跑了一趟。", 4, "assistant", ("answer", "revisit_no")),
)

ANSWERS = {
    "answer": "已约谈窗口经办人，重新梳理一次性告知清单，并电话向村民说明情况、致歉。",
}
APPEAL_REASON = (
    "申请人不符合条件被依法不予批准，差评针对的是审批结果而非服务，经调取窗口录音，经办人告知完整、态度良好。"
)


# How long after rating the villager of the "change_good" story changes their mind.
CHANGE_AFTER = datetime.timedelta(hours=5, minutes=30)


def _decided_ratable() -> list:
    tokens = [case_token(case.key) for case in CASES]
    applications = [
        application
        for application in Application.objects.filter(client_token__in=tokens, rating__isnull=True)
        .select_related("item", "current_office", "village__parent", "station", "filed_by")
        .order_by("decided_at", "pk")
        if rating_blocker(application) is None
    ]
    return applications


def _last_step_at(application) -> datetime.datetime:
    """When the application's history last moved: its decision, or the hand-over after it."""
    return application.events.order_by("-at", "-pk").values_list("at", flat=True).first()


def _next_working_moment(days: Days, after: datetime.datetime, at: datetime.time) -> datetime.datetime:
    """`at` o'clock on the working day after `after`; always before now (see the module's doc)."""
    day = days.calendar.add_working_days(timezone.localdate(after), 1)
    moment = timezone.make_aware(datetime.datetime.combine(day, at))
    if moment >= timezone.now():
        raise RuntimeError(
            f"a demo rating step would happen on {day}, not before today: give this story an older decision"
        )
    return moment


def _change_moment(rated_at: datetime.datetime) -> datetime.datetime:
    """When the villager changes the rating: the same afternoon, well inside the change window."""
    window = datetime.timedelta(hours=QualitySettings.current().change_window_hours)
    return rated_at + min(CHANGE_AFTER, window / 2)


def load_demo_ratings(progress: Callable[[str], None] = print) -> int:
    """Rate the decided demo applications not yet rated; return how many were rated."""
    if Rating.objects.filter(application__client_token__in=[case_token(case.key) for case in CASES]).exists():
        progress("ratings: already loaded")
        return 0
    days = Days(timezone.localdate())
    supervisor = User.objects.get(username="demo_supervisor")
    officer = User.objects.get(username="demo_officer")
    county_admin = User.objects.get(username="demo_admin")
    # 回访 is the county's: its 政务服务 office calls villagers back, never the rated centre.
    rules = QualitySettings.current()
    services.quality_settings_save(
        actor=county_admin,
        rectification_days=rules.rectification_days,
        change_window_hours=rules.change_window_hours,
        revisit_office=Office.objects.get(name=county_data.DEPARTMENTS[0]["name"]),
    )
    applications = _decided_ratable()
    rated = 0
    for story, application in zip(STORIES, applications, strict=False):
        moment = _next_working_moment(days, _last_step_at(application), datetime.time(10, 30))
        actor = application.filed_by if story.channel in ("assistant", "paper") else None
        with clock_at(moment):
            rating = services.rating_submit(
                application=application,
                level=story.level,
                reasons=story.reasons,
                comment=story.comment,
                assistant_level=story.assistant_level,
                channel=story.channel,
                actor=actor,
            )
        rated += 1
        answerer = officer if rating.office.kind == "department" else supervisor
        revisiter = county_admin  # of the county's 政务服务 office, outside every rated office
        step = moment
        for then in story.then:
            if then == "change_good":
                step = _change_moment(moment)
            else:
                step = _next_working_moment(days, step, datetime.time(15, 0))
            rectification = rating.rectifications.order_by("-pk").first()
            with clock_at(step):
                if then == "answer":
                    services.rectification_answer(
                        actor=answerer, rectification=rectification, answer=ANSWERS["answer"]
                    )
                elif then in ("revisit_yes", "revisit_no"):
                    services.rectification_revisit(
                        actor=revisiter,
                        rectification=rectification,
                        satisfied=then == "revisit_yes",
                        note="电话回访，村民表示理解并满意。"
                        if then == "revisit_yes"
                        else "电话回访，村民仍不满意。",
                    )
                elif then == "appeal":
                    services.appeal_file(actor=answerer, rating=rating, reason=APPEAL_REASON)
                elif then in ("set_aside", "uphold"):
                    services.appeal_decide(
                        actor=county_admin,
                        appeal=rating.appeal,
                        set_aside=then == "set_aside",
                        reason="经核查录音，差评针对审批结果，不属于服务问题，予以撤销。"
                        if then == "set_aside"
                        else "证据不足，维持差评。",
                    )
                elif then == "change_good":
                    services.rating_submit(
                        application=application,
                        level=4,
                        comment="后来代办员解释清楚了，改为满意。",
                        channel="tracking",
                    )
            rating.refresh_from_db()
    reminded = services.rectifications_sweep()
    progress(
        f"ratings: {rated} of the {len(applications)} rateable demo applications rated; "
        f"{reminded} overdue rectification reminded"
    )
    return rated
