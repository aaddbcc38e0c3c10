"""Demo applications: villagers' cases in every state, filed and handled through the services.

Each case is a short story (drafted, submitted, returned, accepted, reviewed, decided …) told as
steps on past working days, so the inboxes open on work of the last weeks: some due soon
(amber), some overdue (red), acceptance windows about to close, a special procedure under way.

The services read the clock through `django.utils.timezone`; time-machine is a test dependency
only, so while a step runs the loader sets that clock back to the step's moment (a plain
`mock.patch`, here only). Numbers, acceptance windows, due dates, pauses and histories therefore
come out exactly as the services compute them on that day; nothing is back-dated by hand except
the three timestamps whose model defaults bypass the patched clock (file uploads, notices, a
draft's state date), which are set to the step's moment right after it. Text messages stay
pending in the outbox.

Days are counted only as `WorkCalendar` counts working days (`Days`), the calendar the services
use too, never by weekday or by a holiday list of their own: so every story keeps its shape
whatever today's weekday, holiday or year, and in a year without a confirmed calendar as well.

Steps of all cases run in time order across cases, so the day's application numbers follow the
clock too. A case whose application exists (found by its fixed `client_token`) is skipped, so
loading the demo again creates nothing twice.
"""

from __future__ import annotations

import base64
import datetime
import functools
import io
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from approvals import item_data, services
from approvals.models import Application, ApplicationFile, Notice, NoticeItem
from approvals.reminders import deadlines_sweep
from approvals.selectors import items_for_filing
from approvals.services import MissingItem
from certificates import services as certificates
from online import services as online
from portal.errors import required
from portal.offices.models import OfficeKind
from portal.outbox.models import OutboxMessage
from portal.people.models import Resident, User
from portal.people.roles import Role
from portal.people.services import resident_register
from portal.places.models import Region, RegionLevel
from portal.workdays.calendar import WorkCalendar

from .answers import demo_answers, office_answers
from .item_answers import OFFICE_ANSWERS, case_answers

# Fixed, so that each case's draft has the same client_token on every load.
DEMO_NAMESPACE = uuid.UUID("6f1c3b0e-5a2d-4c7e-9b1a-2d8e4f6a7c90")


def case_token(key: str) -> uuid.UUID:
    """The `client_token` of a demo case's application (how a second load recognises it)."""
    return uuid.uuid5(DEMO_NAMESPACE, f"demo-application:{key}")


# -- villagers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Villager:
    """A fictional villager; the ID number is built from area, birth date and order (odd: male)."""

    name: str
    village: str
    birth: str  # YYYYMMDD
    order: int
    mobile: str

    @property
    def id_number(self) -> str:
        from stdnum.cn import ric

        # Cards issued before 宝坻县 became 宝坻区 (2001) keep the county's old area code.
        area = "120224" if self.birth < "20010101" else "120115"
        body = f"{area}{self.birth}{self.order:03d}"
        return body + ric.calc_check_digit(body + "0")


V = Villager
VILLAGERS = {
    # 西郝各庄村 (the demo assistant's village); the first three are the loader's residents.
    "wang_jingyun": V("王景云", "西郝各庄村", "19520314", 31, "13900002000"),
    "zhang_guiying": V("张桂英", "西郝各庄村", "19480922", 42, "13900002000"),
    "liu_desheng": V("刘德胜", "西郝各庄村", "20030105", 57, "13900002000"),
    "liu_yulan": V("刘玉兰", "西郝各庄村", "19440312", 62, "13900003101"),
    "zhao_guoqing": V("赵国庆", "西郝各庄村", "19681001", 73, "13900003102"),
    "sun_changshun": V("孙长顺", "西郝各庄村", "19500716", 81, "13900003103"),
    "li_fengqin": V("李凤琴", "西郝各庄村", "19430208", 24, "13900003104"),
    "zhou_defu": V("周德富", "西郝各庄村", "19570423", 95, "13900003105"),
    "ma_xiuzhen": V("马秀珍", "西郝各庄村", "19610930", 36, "13900003106"),
    "yang_yuzhen": V("杨玉珍", "西郝各庄村", "19451117", 48, "13900003107"),
    "gao_jianhua": V("高建华", "西郝各庄村", "19720605", 19, "13900003108"),
    "liu_guilan": V("刘桂兰", "西郝各庄村", "19550812", 26, "13900003109"),
    "li_zhenjiang": V("李振江", "西郝各庄村", "19790321", 53, "13900003110"),
    "li_xiaofeng": V("李晓峰", "西郝各庄村", "19880715", 63, "13900003112"),
    "wang_xiaoyu": V("王小宇", "西郝各庄村", "20140509", 11, "13900003111"),
    # 东郝各庄村
    "li_weidong": V("李卫东", "东郝各庄村", "19850219", 77, "13900003201"),
    "li_chunsheng": V("李春生", "东郝各庄村", "19630714", 15, "13900003202"),
    "wang_xiuyun": V("王秀云", "东郝各庄村", "19700328", 64, "13900003203"),
    "li_guizhi": V("李桂芝", "东郝各庄村", "19581206", 82, "13900003204"),
    # 前郝各庄村
    "zhang_yongxiang": V("张永祥", "前郝各庄村", "19590903", 37, "13900003301"),
    "zhang_meilan": V("张美兰", "前郝各庄村", "19660115", 28, "13900003302"),
    "zhang_fulai": V("张福来", "前郝各庄村", "19400620", 91, "13900003303"),
    # 秦各庄村
    "qin_yuhua": V("秦玉华", "秦各庄村", "19420404", 56, "13900003401"),
    "qin_haibo": V("秦海波", "秦各庄村", "19901011", 13, "13900003402"),
    "liu_jun": V("刘军", "秦各庄村", "19880302", 45, "13900003403"),
    # 霍各庄镇
    "chen_jianshe": V("陈建设", "西霍各庄村", "19750818", 39, "13900003501"),
    "yang_zhenhua": V("杨振华", "东霍各庄村", "19580127", 71, "13900003502"),
    "zhao_deming": V("赵德明", "后白庙村", "19410915", 93, "13900003503"),
    # 大钟庄镇
    "sun_haoran": V("孙浩然", "司家庄村", "20120403", 17, "13900003601"),
    "zhou_zihan": V("周子涵", "燕喜庄村", "20150722", 22, "13900003602"),
    "zhou_li": V("周丽", "燕喜庄村", "19920510", 84, "13900003603"),
    "wu_xiaoyan": V("吴晓燕", "袁罗庄村", "19961128", 66, "13900003604"),
    # 史各庄镇
    "zheng_yuhan": V("郑雨涵", "史各庄村", "20130916", 42, "13900003701"),
    "ma_chao": V("马超", "东马各庄村", "19930612", 59, "13900003702"),
    "zhu_guixiang": V("朱桂香", "西马各庄村", "19540219", 88, "13900003703"),
}
del V


# -- cases -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing that happened: `act` on the working day `day` (0 = the last working day before
    today, 1 = the one before …; negative = working days after that) at `at` o'clock, by `by`."""

    act: str
    day: int
    at: str
    by: str = "assistant"  # assistant (of the case's village) | clerk | supervisor | officer | system
    text: str = ""
    basis: str = ""
    materials: tuple[tuple[str, str], ...] = ()  # (material name, what is wrong) for notices
    until: int | None = None  # promise deadline, as a `day`
    procedure: str = ""
    how: str = ""  # how a certificate was handed over (送达方式)
    reissue: bool = False  # a revocation that issues a corrected certificate


@dataclass(frozen=True)
class Case:
    key: str
    item: str  # item code
    villager: str | None  # key in VILLAGERS; None for a draft not yet tied to anyone
    village: str
    note: str
    steps: tuple[Step, ...]
    # What the draft step uploads: every required material (minus `skip`) and the consent,
    # unless `only` names the materials uploaded so far (an unfinished draft).
    skip: tuple[str, ...] = ()
    only: tuple[str, ...] | None = None
    consent: bool = True
    # Answers to the item's application form that the story sets itself (input path → text);
    # every other answer is made from the form (portal.demo.answers).
    answers: tuple[tuple[str, str], ...] = ()
    # 网上申请: the villager started it on their own phone from the item's page (the draft step
    # is theirs: materials and authorisation from the phone); `hand_in` and `take` follow.
    online: bool = False


# The steps by name, so that the table below reads as the stories do.


def draft(day, at, **kw):
    return Step("draft", day, at, **kw)


def submit(day, at):
    return Step("submit", day, at)


def remote_link(day, at, text=""):
    """网办: the assistant texts the villager a link to do it on their own phone (online)."""
    return Step("remote_link", day, at, text=text)


def remote_phone(day, at):
    """The villager opens the link with the texted code, photographs every material asked for,
    signs the authorisation (授权委托书) in the box and hands back."""
    return Step("remote_phone", day, at, by="villager")


def assign(day, at, by="clerk"):
    return Step("assign", day, at, by=by)


def accept(day, at, by="clerk", text=""):
    return Step("accept", day, at, by=by, text=text)


def promise(day, at, material, reason, until, by="clerk", text=""):
    return Step("promise", day, at, by=by, text=text, materials=((material, reason),), until=until)


def supply(day, at):
    return Step("supply", day, at)


def give_back(day, at, *materials, text="", by="clerk"):
    """A return with a one-time notice (退回补正)."""
    return Step("return", day, at, by=by, text=text, materials=materials)


def resubmit(day, at, text=""):
    return Step("resubmit", day, at, text=text)


def agree_second_return(day, at, text, by="supervisor"):
    """同意再次退回: the supervisor's written reason, which a second return needs."""
    return Step("agree_second_return", day, at, by=by, text=text)


def give_back_again(day, at, *materials, text="", by="clerk"):
    """再次退回: a second one-time notice, on the supervisor's agreement (counted per centre)."""
    return Step("return_again", day, at, by=by, text=text, materials=materials)


def pause(day, at, procedure, by="clerk", text=""):
    return Step("pause", day, at, by=by, procedure=procedure, text=text)


def resume(day, at, by="clerk", text=""):
    return Step("resume", day, at, by=by, text=text)


def review(day, at, text, by="clerk"):
    return Step("review", day, at, by=by, text=text)


def forward(day, at, text, by="clerk"):
    return Step("forward", day, at, by=by, text=text)


def approve(day, at, by="clerk", text=""):
    return Step("approve", day, at, by=by, text=text)


def reject(day, at, text, basis, by="clerk"):
    return Step("reject", day, at, by=by, text=text, basis=basis)


def withdraw(day, at, text=""):
    return Step("withdraw", day, at, text=text)


def terminate(day, at):
    return Step("terminate", day, at, by="system")


def hand_over(day, at, how="assistant", text=""):
    """送达: the assistant records that the certificate reached the villager."""
    return Step("hand_over", day, at, text=text, how=how)


def revoke(day, at, text, by="supervisor", reissue=True):
    """The certificate in force is revoked (and, with `reissue`, a corrected one issued)."""
    return Step("revoke", day, at, by=by, text=text, reissue=reissue)


def hand_in(day, at):
    """网上申请: the villager hands their online draft to the village station."""
    return Step("hand_in", day, at, by="system")


def take(day, at):
    """The station's assistant takes the villager's online draft (接手) and completes it."""
    return Step("take", day, at)


def check(day, at):
    """Someone scans the certificate's QR code on the public check."""
    return Step("check", day, at, by="system")


# The cases read as a table, one line per fact: kept out of the formatter on purpose.
# fmt: off
DIBAO, TEKUN, LINSHI_SMALL, LINSHI_LARGE = "120115-JF-001", "120115-JF-002", "120115-JF-003", "120115-JF-004"
LIANGBU, GAOLING, YANGLAO_BUTIE, GUER = "120115-JF-005", "120115-JF-006", "120115-JF-007", "120115-JF-008"
QUNUAN, GENGDI, YILIAO_JIUZHU = "120115-JF-009", "120115-JF-013", "120115-JF-012"
YOUDAI, CANJIZHENG, YANGLAO_DENGJI, YANGLAO_DAIYU = "120115-GG-001", "120115-GG-002", "120115-GG-003", "120115-GG-004"
JIUYE_ZHENG, SHIYE, YIBAO, SHENGYU, TIAOJIE = "120115-GG-008", "120115-GG-009", "120115-GG-013", "120115-GG-018", "120115-GG-020"
WURENFUYANG, KUNJING, LIUZHUAN, ZHAIJIDI = "120115-QR-001", "120115-QR-002", "120115-QT-003", "120115-XK-001"

GAOLING_BASIS = "《天津市宝坻区高龄津贴发放办法》（宝坻民发〔2024〕21号）第三条"

CASES: tuple[Case, ...] = (
    # --- 西郝各庄村, the demo assistant's own station -----------------------------------------
    Case(
        "xhgz-gaoling-draft", GAOLING, "liu_yulan", "西郝各庄村",
        "老人今年82岁，腿脚不便，想申请高龄津贴，按月打到社保卡上。户口簿在女儿家，周末取回后补拍。",
        (draft(1, "10:20"),),
        only=("高龄津贴申请表", "居民身份证"), consent=False,
    ),
    Case(
        "xhgz-dibao-draft", DIBAO, None, "西郝各庄村",
        "王家老两口收入低，儿子在外打工，想问能不能申请低保。先记下，下周入户采集材料。",
        (draft(0, "15:40"),),
        only=(), consent=False,
    ),
    Case(
        "xhgz-liangbu-returned", LIANGBU, "zhao_guoqing", "西郝各庄村",
        "肢体残疾二级，家里是低保户，申请困难残疾人生活补贴和重度残疾人护理补贴。",
        (
            draft(7, "16:00"),
            submit(6, "09:30"),
            assign(4, "10:05"),
            give_back(
                4, "10:15",
                ("第二代中华人民共和国残疾人证", "照片模糊，看不清残疾类别和等级，请重新拍照，四角要完整。"),
                ("户口簿", "只拍了首页，还缺申请人本人的那一页。"),
                text="请按告知书一次补齐后重新提交。",
            ),
        ),
    ),
    Case(
        "xhgz-dibao-submitted", DIBAO, "wang_jingyun", "西郝各庄村",
        "老伴去年住院花了不少钱，两人靠种地和零工收入，申请最低生活保障。",
        (draft(4, "15:10"), submit(3, "14:10")),
    ),
    Case(
        "xhgz-jiuye-remote", JIUYE_ZHENG, "li_xiaofeng", "西郝各庄村",
        "在江苏昆山打工，过年才回来，申请就业创业证。人不在村里：村代办员发链接，本人在手机上拍材料、签授权委托书，代办员核对后提交。",
        (
            draft(2, "09:10"),
            remote_link(2, "09:20", text="身份证正反面都要拍，四角完整。"),
            remote_phone(2, "20:40"),
            submit(1, "09:15"),
        ),
        only=(), consent=False,
    ),
    Case(
        "xhgz-youdai-submitted", YOUDAI, "zhang_guiying", "西郝各庄村",
        "办理老年人优待证，坐公交和去景区能用。",
        (draft(0, "09:20"), submit(0, "09:50")),
    ),
    Case(
        "xhgz-tekun-promise", TEKUN, "sun_changshun", "西郝各庄村",
        "无儿无女，一人独居，没有劳动能力，申请特困人员救助供养。",
        (
            draft(10, "14:30"),
            submit(9, "11:00"),
            promise(
                8, "10:30",
                "法定赡养、抚养、扶养义务人情况说明",
                "需村委会盖章，村委会主任出差，回来后补交。",
                until=-3,
                text="其余材料齐全，情况说明容缺受理。",
            ),
        ),
        skip=("法定赡养、抚养、扶养义务人情况说明",),
    ),
    Case(
        "xhgz-gaoling-overdue", GAOLING, "li_fengqin", "西郝各庄村",
        "老人83岁，申请高龄津贴。",
        (draft(15, "16:20"), submit(14, "09:20"), accept(13, "15:00")),
    ),
    Case(
        "xhgz-qunuan-soon", QUNUAN, "zhou_defu", "西郝各庄村",
        "低保户，家里用煤取暖，申请冬季取暖救助。",
        (
            draft(14, "10:00"),
            submit(13, "10:40"),
            give_back(
                12, "09:15",
                ("最低生活保障金领取证或特困人员救助供养证", "照片反光，看不清发证日期和有效期，请重新拍照上传。"),
                text="请补齐后重新提交。",
            ),
            resubmit(10, "16:30", text="已补拍低保金领取证。"),
            accept(8, "09:40"),
        ),
    ),
    Case(
        # 一次性告知 broken once: the second notice needed the supervisor's reason (issue 18), and
        # the satisfaction figures count it against the centre.
        "xhgz-qunuan-second-return", QUNUAN, "yang_yuzhen", "西郝各庄村",
        "独居老人，低保户，家里用煤取暖，申请冬季取暖救助。",
        (
            draft(9, "09:30"),
            submit(9, "10:10"),
            give_back(
                8, "09:20",
                ("居民身份证", "身份证复印件只有正面，请补传反面。"),
                text="请补齐后重新提交。",
            ),
            resubmit(7, "15:40", text="已补传身份证反面。"),
            agree_second_return(
                6, "09:00",
                "复核发现低保金领取证已过有效期，首次告知时漏看，同意再次退回并向村民致歉。",
            ),
            give_back_again(
                6, "09:30",
                ("最低生活保障金领取证或特困人员救助供养证", "领取证已过有效期，请补传年审后的领取证。"),
                text="首次告知时漏看了领取证有效期，向您致歉。",
            ),
            resubmit(4, "16:00", text="已补传年审后的低保金领取证。"),
            accept(3, "10:00"),
        ),
    ),
    Case(
        "xhgz-dibao-reviewed", DIBAO, "ma_xiuzhen", "西郝各庄村",
        "丈夫去世，本人患慢性病不能干重活，申请最低生活保障。",
        (
            draft(28, "15:00"),
            submit(27, "09:10"),
            accept(26, "10:20"),
            pause(20, "09:00", "公示", text="在村务公开栏公示7天。"),
            resume(13, "09:30", text="公示期满无异议。"),
            review(2, "11:00", "经入户调查，家庭人均月收入低于低保标准，公示无异议，建议纳入低保。"),
        ),
    ),
    Case(
        "xhgz-gaoling-reviewed-overdue", GAOLING, "yang_yuzhen", "西郝各庄村",
        "老人81岁，申请高龄津贴。",
        (
            draft(17, "10:10"),
            submit(16, "09:00"),
            accept(15, "14:20"),
            review(6, "16:10", "年龄核实无误，材料齐全，建议准予。"),
        ),
    ),
    Case(
        "xhgz-linshi-forwarded", LINSHI_SMALL, "gao_jianhua", "西郝各庄村",
        "妻子突发脑出血住院，医药费自付部分较多，家庭生活暂时困难，申请临时救助。",
        (
            draft(9, "17:00"),
            submit(8, "09:40"),
            accept(7, "10:00"),
            forward(5, "15:30", "申请救助金额超过镇级审批权限（小额临时救助1000元），报区民政局审批。"),
        ),
    ),
    Case(
        "xhgz-youdai-approved", YOUDAI, "wang_jingyun", "西郝各庄村",
        "办理老年人优待证。",
        (
            draft(21, "16:00"),
            submit(20, "09:10"),
            accept(19, "10:00"),
            approve(19, "10:20", text="已制证，请代办员到中心窗口领取后转交。"),
            hand_over(18, "15:00", text="代办员已送到老人家中。"),
            check(12, "09:40"),
            check(3, "16:20"),
        ),
    ),
    Case(
        "xhgz-youdai-online", YOUDAI, "sun_changshun", "西郝各庄村",
        "孙大爷在天津市区女儿家，在手机上网上申请老年人优待证，拍了身份证和照片。",
        (
            draft(6, "19:40"),
            hand_in(6, "20:05"),
            take(5, "09:10"),
            submit(5, "09:30"),
            accept(4, "10:00"),
            approve(4, "10:20", text="已制证，电子证照链接已短信发送本人；纸质证由代办员领取后转交。"),
        ),
        online=True,
    ),
    Case(
        "xhgz-dibao-approved", DIBAO, "liu_guilan", "西郝各庄村",
        "独自抚养孙子，无固定收入，申请最低生活保障。",
        (
            draft(46, "15:20"),
            submit(45, "09:30"),
            promise(
                44, "10:10",
                "社会保障卡或本人银行卡",
                "银行卡丢失正在补办，补办后交复印件。",
                until=40,
                text="银行卡容缺受理。",
            ),
            supply(41, "14:00"),
            pause(35, "09:00", "公示", text="在村务公开栏公示7天。"),
            resume(28, "09:20", text="公示期满无异议。"),
            review(24, "15:00", "家庭人均收入低于标准，公示无异议，建议纳入低保，从下月起发放。"),
            approve(23, "10:30", by="supervisor", text="同意纳入低保。"),
            revoke(22, "09:30", "证照上的身份证号录入有误，撤销后按更正后的信息重新制证。"),
            hand_over(21, "10:00", how="in_person", text="本人到中心窗口领取。"),
            check(20, "11:15"),
        ),
        skip=("社会保障卡或本人银行卡",),
    ),
    Case(
        "xhgz-gaoling-rejected", GAOLING, "zhang_guiying", "西郝各庄村",
        "老人说听别人讲78岁也能领高龄津贴，想试着申请。",
        (
            draft(19, "15:30"),
            submit(18, "09:00"),
            accept(17, "10:30"),
            review(12, "14:00", "申请人1948年9月出生，未满80周岁，建议不予。"),
            reject(
                11, "09:40",
                "申请人1948年9月出生，未满80周岁，不符合高龄津贴申领条件。年满80周岁后可以再申请。",
                GAOLING_BASIS,
                by="supervisor",
            ),
        ),
    ),
    Case(
        "xhgz-yanglao-withdrawn", YANGLAO_DAIYU, "wang_jingyun", "西郝各庄村",
        "年满60周岁，申请领取城乡居民基本养老保险待遇。",
        (
            draft(9, "11:00"),
            submit(8, "14:00"),
            withdraw(7, "10:00", "村民已由子女陪同到区政务服务中心自行办理，申请撤回。"),
        ),
    ),
    Case(
        "xhgz-liangbu-terminated", LIANGBU, "liu_desheng", "西郝各庄村",
        "听力残疾一级，申请重度残疾人护理补贴。",
        (
            draft(25, "16:00"),
            submit(24, "09:20"),
            promise(23, "10:40", "社会保障卡", "社保卡在外地上学时丢失，补办后交复印件。", until=18),
            terminate(17, "01:00"),
        ),
        skip=("社会保障卡",),
    ),
    Case(
        "xhgz-zhaijidi-paused", ZHAIJIDI, "li_zhenjiang", "西郝各庄村",
        "原有房屋年久失修，拆除后在原宅基地翻建两层住房。",
        (
            draft(13, "15:00"),
            submit(12, "09:00"),
            accept(11, "10:00"),
            pause(9, "09:00", "现场勘查", text="镇规划办、村委会到现场勘查四至。"),
            resume(6, "16:00", text="勘查完毕，四至清楚，无纠纷。"),
            pause(4, "09:00", "公示", text="在村务公开栏公示5天。"),
        ),
    ),
    Case(
        "xhgz-kunjing-county", KUNJING, "wang_xiaoyu", "西郝各庄村",
        "父亲重病长期住院，母亲离家多年，孩子由爷爷照顾，申请困境儿童认定。电话是爷爷的。",
        (draft(2, "16:30"), submit(1, "09:30")),
    ),
    # --- 东郝各庄村 -----------------------------------------------------------------------------
    Case(
        "dhgz-yanglao-submitted", YANGLAO_DENGJI, "li_weidong", "东郝各庄村",
        "在外打工没有交过养老保险，申请参加城乡居民基本养老保险。",
        (draft(2, "17:10"), submit(1, "08:50")),
    ),
    Case(
        "dhgz-liuzhuan-soon", LIUZHUAN, "li_chunsheng", "东郝各庄村",
        "把自家8亩承包地流转给本村种植合作社，办理合同备案。",
        (draft(3, "15:00"), submit(2, "09:10"), accept(1, "10:30")),
    ),
    Case(
        "dhgz-gengdi-approved", GENGDI, "li_chunsheng", "东郝各庄村",
        "申报今年的耕地地力保护补贴，承包地12亩。",
        (
            draft(21, "14:00"),
            submit(20, "09:00"),
            accept(19, "09:30"),
            review(10, "16:00", "面积与承包合同一致，建议准予。"),
            approve(9, "09:10", by="supervisor"),
        ),
    ),
    Case(
        "dhgz-tiaojie-rejected", TIAOJIE, "wang_xiuyun", "东郝各庄村",
        "与邻居因宅基地边界的院墙发生纠纷，申请人民调解。",
        (
            draft(12, "10:00"),
            submit(11, "09:00"),
            accept(10, "14:00"),
            reject(
                6, "15:20",
                "经联系，对方当事人明确表示拒绝调解，人民调解委员会不得调解。可以依法向人民法院提起诉讼。",
                "《中华人民共和国人民调解法》第十七条",
            ),
        ),
    ),
    Case(
        "dhgz-dibao-county-approved", DIBAO, "li_guizhi", "东郝各庄村",
        "丈夫瘫痪在床，女儿在外地，申请最低生活保障。",
        (
            draft(41, "16:00"),
            submit(40, "09:00"),
            accept(39, "10:00"),
            forward(30, "14:00", "家庭成员有外区房产，需要区里核对经济状况，报区民政局。"),
            approve(15, "10:00", by="officer", text="经核对，房产为共有份额，收入仍低于标准，准予。"),
        ),
    ),
    # --- 前郝各庄村 -----------------------------------------------------------------------------
    Case(
        "qhgz-liangbu-reviewed", LIANGBU, "zhang_yongxiang", "前郝各庄村",
        "视力残疾二级，申请困难残疾人生活补贴。",
        (
            draft(10, "15:30"),
            submit(9, "08:40"),
            accept(8, "11:00"),
            review(1, "16:00", "低保家庭中的二级残疾人，符合条件，建议准予。"),
        ),
    ),
    Case(
        "qhgz-yiliao-submitted", YILIAO_JIUZHU, "zhang_meilan", "前郝各庄村",
        "乳腺癌手术后化疗，医保报销后自付三万多元，申请医疗救助。",
        (draft(3, "10:20"), submit(2, "15:00")),
    ),
    Case(
        "qhgz-tekun-forwarded", TEKUN, "zhang_fulai", "前郝各庄村",
        "老人86岁，老伴去世，申请特困人员救助供养。",
        (
            draft(11, "09:30"),
            submit(10, "10:00"),
            accept(9, "09:30"),
            forward(3, "11:20", "申请人的女儿户籍在外区，赡养能力需跨区核对，报区民政局认定。"),
        ),
    ),
    # --- 秦各庄村 -------------------------------------------------------------------------------
    Case(
        "qgz-yanglao-butie-overdue", YANGLAO_BUTIE, "qin_yuhua", "秦各庄村",
        "老人84岁，失能在床，家里是低收入户，申请养老服务补贴。",
        (draft(21, "14:40"), submit(20, "10:00"), accept(19, "09:00")),
    ),
    Case(
        "qgz-yibao-draft", YIBAO, "qin_haibo", "秦各庄村",
        "刚从外地回村，参加明年的城乡居民医保。",
        (draft(2, "09:00"),),
        only=("居民身份证或户口簿",),
    ),
    Case(
        "qgz-jiuye-withdrawn", JIUYE_ZHENG, "liu_jun", "秦各庄村",
        "申领就业创业证。",
        (draft(5, "10:00"), withdraw(4, "09:00")),
    ),
    # --- county departments (区民政局) ---------------------------------------------------------
    Case(
        "xhgz-linshi-large-county", LINSHI_LARGE, "chen_jianshe", "西霍各庄村",
        "家中失火，房屋和粮食烧毁，申请临时救助。",
        (draft(8, "10:30"), submit(7, "08:50"), accept(6, "14:30", by="officer")),
    ),
    Case(
        "sjz-guer-county-approved", GUER, "sun_haoran", "司家庄村",
        "父母因车祸去世，孩子由奶奶抚养，申请孤儿基本生活费。电话是奶奶的。",
        (
            draft(26, "15:00"),
            submit(25, "09:00"),
            accept(24, "10:00", by="officer"),
            approve(8, "15:00", by="officer", text="符合孤儿认定条件，从下月起发放。"),
        ),
    ),
    Case(
        "sgz-wurenfuyang-county-rejected", WURENFUYANG, "zheng_yuhan", "史各庄村",
        "父亲服刑，母亲外出后联系不上，孩子由外婆照顾。电话是外婆的。",
        (
            draft(23, "14:00"),
            submit(22, "09:30"),
            accept(21, "10:30", by="officer"),
            reject(
                9, "16:00",
                "经核查，儿童母亲在本市务工并按月支付抚养费，能够履行抚养义务，不属于事实无人抚养儿童。"
                "如不服本决定，可以在六十日内申请行政复议，或者在六个月内提起行政诉讼。",
                "《民政部等12部门关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）第二条",
                by="officer",
            ),
        ),
    ),
    Case(
        "dhgz-canjizheng-county-paused", CANJIZHENG, "yang_zhenhua", "东霍各庄村",
        "脑梗后遗症，右侧肢体活动不便，申请办理残疾人证。",
        (
            draft(11, "16:00"),
            submit(10, "09:00"),
            accept(9, "10:00", by="officer"),
            pause(7, "09:00", "残疾评定", by="officer", text="已预约区残疾评定医院评定。"),
        ),
    ),
    Case(
        "yxz-kunjing-county-overdue", KUNJING, "zhou_zihan", "燕喜庄村",
        "母亲重度残疾，父亲无劳动能力，申请困境儿童认定。电话是父亲的。",
        (draft(26, "15:00"), submit(25, "09:00"), accept(23, "10:00", by="officer")),
    ),
    # --- other townships' centres (no demo login: still waiting for them) ---------------------
    Case(
        "hbm-gaoling-submitted", GAOLING, "zhao_deming", "后白庙村",
        "老人85岁，申请高龄津贴。",
        (draft(3, "16:00"), submit(2, "09:00")),
    ),
    Case(
        "yxz-yibao-submitted", YIBAO, "zhou_li", "燕喜庄村",
        "从外地嫁过来，户口刚迁入，参加城乡居民医保。",
        (draft(1, "14:00"), submit(1, "14:30")),
    ),
    Case(
        "ylz-shengyu-draft", SHENGYU, "wu_xiaoyan", "袁罗庄村",
        "怀孕三个月，办理生育登记。",
        (draft(1, "11:00"),),
        only=("夫妻双方居民身份证",),
    ),
    Case(
        "dmgz-shiye-withdrawn", SHIYE, "ma_chao", "东马各庄村",
        "原单位停产，办理失业登记。",
        (draft(7, "10:00"), submit(6, "09:20"), withdraw(5, "15:00", "已在新单位就业，不再办理失业登记。")),
    ),
    Case(
        "xmgz-liangbu-submitted", LIANGBU, "zhu_guixiang", "西马各庄村",
        "肢体残疾一级，长期卧床，申请重度残疾人护理补贴。",
        (draft(4, "09:00"), submit(3, "10:00")),
    ),
)
# fmt: on


# -- the clock and the calendar ------------------------------------------------------------------


class Days:
    """Working days around today: `day(0)` is the last working day before today, `day(3)` three
    working days earlier, `day(-2)` two working days after `day(0)`."""

    def __init__(self, today: datetime.date) -> None:
        first, last = self.span(today)
        self.calendar = WorkCalendar.for_range(first=first, last=last)
        self.past = []
        day = today - datetime.timedelta(days=1)
        while len(self.past) < 80:
            if self.calendar.is_working_day(day):
                self.past.append(day)
            day -= datetime.timedelta(days=1)

    @staticmethod
    def span(today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The dates the stories touch, from their first step to their last deadline."""
        return today - datetime.timedelta(days=180), today + datetime.timedelta(days=60)

    def day(self, index: int) -> datetime.date:
        if index >= 0:
            return self.past[index]
        return self.calendar.add_working_days(self.past[0], -index)

    def moment(self, index: int, at: str) -> datetime.datetime:
        hour, minute = (int(part) for part in at.split(":"))
        return timezone.make_aware(datetime.datetime.combine(self.day(index), datetime.time(hour, minute)))


@contextmanager
def clock_at(moment: datetime.datetime):
    """Make `timezone.now()` (and so `timezone.localdate()`) answer `moment` while a step runs."""
    with mock.patch("django.utils.timezone.now", new=lambda: moment):
        yield


# -- files ------------------------------------------------------------------------------------------


def scan_png(seed: str) -> bytes:
    """A tiny grey 'scan' of a paper: a heading bar and lines of text, different for each seed."""
    rng = random.Random(seed)  # noqa: S311 (a picture, not a secret)
    image = Image.new("L", (90, 120), 248)
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 8 + rng.randint(40, 74), 16), fill=70)
    for y in range(26, 112, 7):
        draw.line((8, y, 8 + rng.randint(30, 74), y), fill=rng.randint(120, 170))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def phone_photo(seed: str) -> bytes:
    """A villager's phone photo of a paper, as the phone sends it after making it small: a light
    page of text lines on a desk, 720 × 960, large and light enough for the checks of photos
    taken on a phone (portal/files/photos.py)."""
    rng = random.Random(seed)  # noqa: S311 (a picture, not a secret)
    image = Image.new("RGB", (720, 960), (128, 110, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 50, 660, 910), fill=(240, 238, 232))
    draw.rectangle((100, 90, 100 + rng.randint(250, 480), 120), fill=(60, 60, 70))
    for y in range(160, 880, 28):
        draw.line((100, y, 100 + rng.randint(200, 520), y), fill=(rng.randint(40, 90),) * 3, width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def letter_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page signed letter (授权委托书, 承诺书) as a small PDF with Chinese text."""
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A5, invariant=True)
    page.setFont("STSong-Light", 16)
    page.drawCentredString(A5[0] / 2, A5[1] - 60, title)
    page.setFont("STSong-Light", 10)
    y = A5[1] - 100
    for line in lines:
        page.drawString(40, y, line)
        y -= 18
    page.showPage()
    page.save()
    return buffer.getvalue()


def _upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# -- running the cases ---------------------------------------------------------------------------


@dataclass
class _Run:
    """What the loader knows while it tells the stories."""

    days: Days
    staff: dict[str, User]
    items: dict[str, object]
    villages: dict[str, Region]
    assistants: dict[int, User] = field(default_factory=dict)
    applications: dict[str, object] = field(default_factory=dict)
    remote: dict[str, str] = field(default_factory=dict)  # case key → the link's token (网办)

    def actor(self, case: Case, step: Step) -> User | None:
        if step.by in ("system", "villager"):  # the villager has no account (网办)
            return None
        if step.by == "assistant":
            return self.assistant_of(self.villages[case.village])
        return self.staff[step.by]

    def assistant_of(self, village: Region) -> User:
        if village.pk not in self.assistants:
            assistant = (
                User.objects.filter(
                    memberships__office__region=village,
                    memberships__office__kind=OfficeKind.STATION,
                    memberships__role=Role.VILLAGE_ASSISTANT,
                    memberships__ended_at__isnull=True,
                )
                .order_by("pk")
                .first()
            )
            if assistant is None:
                raise RuntimeError(f"the demo has no assistant for {village.name}")
            self.assistants[village.pk] = assistant
        return self.assistants[village.pk]


def _material(application, name: str):
    material = application.item.materials.filter(name=name).first()
    if material is None:
        raise RuntimeError(f"{application.item_title} has no material “{name}” in the demo catalogue")
    return material


def _resident(run: _Run, case: Case) -> Resident | None:
    if case.villager is None:
        return None
    villager = VILLAGERS[case.villager]
    if villager.village != case.village:
        raise RuntimeError(f"{villager.name} does not live in {case.village}")
    village = run.villages[villager.village]
    resident, _warnings = resident_register(
        actor=run.assistant_of(village),
        name=villager.name,
        id_number=villager.id_number,
        mobile=villager.mobile,
        village=village,
    )
    return resident


def _do_draft(run: _Run, case: Case, step: Step, moment: datetime.datetime):
    assistant = run.assistant_of(run.villages[case.village])
    application = services.draft_start(
        actor=assistant,
        item=run.items[case.item],
        village=run.villages[case.village],
        client_token=case_token(case.key),
        request_note=case.note,
    )
    resident = _resident(run, case)
    if resident is not None:
        application = services.draft_update(actor=assistant, application=application, resident=resident)
    for material in application.item.materials.all():
        wanted = (
            material.name in case.only
            if case.only is not None
            else material.required and material.name not in case.skip
        )
        if wanted:
            services.file_attach(
                actor=assistant,
                application=application,
                kind=ApplicationFile.Kind.MATERIAL,
                material=material,
                uploaded=_upload(
                    f"{material.name}.png", scan_png(f"{case.key}:{material.name}"), "image/png"
                ),
            )
    _answer_form(run, case, application, assistant, resident, moment)
    if case.consent and resident is not None:
        letter = letter_pdf(
            "授权委托书",
            [
                f"委托人：{resident.name}（身份证号 {resident.id_number_masked}）",
                f"受托人：{assistant.name}（{case.village}村级事务助理）",
                f"委托事项：代为办理“{application.item_title}”",
                "委托人签字（按手印）：" + resident.name,
                f"日期：{moment:%Y年%m月%d日}",
            ],
        )
        services.file_attach(
            actor=assistant,
            application=application,
            kind=ApplicationFile.Kind.CONSENT,
            uploaded=_upload("授权委托书.pdf", letter, "application/pdf"),
        )
    return application


def _do_online_draft(run: _Run, case: Case, step: Step, moment: datetime.datetime):
    """网上申请: the villager starts the draft from the item's page and hands in, from their
    phone, the checklist's materials and the authorisation; no assistant yet."""
    villager = VILLAGERS[required(case.villager, "villager")]
    application = services.draft_start_by_villager(
        item=run.items[case.item],
        village=run.villages[case.village],
        mobile=villager.mobile,
        name=villager.name,
        client_token=case_token(case.key),
        request_note=case.note,
    )
    for material in application.item.materials.all():
        if material.required and material.name not in case.skip:
            services.villager_file_attach(
                application=application,
                kind=ApplicationFile.Kind.MATERIAL,
                material=material,
                uploaded=_upload(
                    f"{material.name}.jpg", phone_photo(f"{case.key}:{material.name}"), "image/jpeg"
                ),
            )
    letter = letter_pdf(
        "授权委托书",
        [
            f"委托人：{villager.name}",
            f"受托人：{case.village}便民服务站村级事务助理",
            f"委托事项：代为办理“{application.item_title}”",
            "委托人签字：" + villager.name + "（手机上签名）",
            f"日期：{moment:%Y年%m月%d日}",
        ],
    )
    services.villager_file_attach(
        application=application,
        kind=ApplicationFile.Kind.CONSENT,
        uploaded=_upload("授权委托书.pdf", letter, "application/pdf"),
    )
    return application


def _do_take(run: _Run, case: Case, application, assistant, moment) -> None:
    """The assistant takes it, finds the villager in the register and completes the form."""
    application = services.application_take(actor=assistant, application=application)
    resident = _resident(run, case)
    if resident is not None:
        application = services.draft_update(actor=assistant, application=application, resident=resident)
    _answer_form(run, case, application, assistant, resident, moment)
    run.applications[case.key] = application


def _answer_form(run: _Run, case: Case, application, assistant, resident, moment) -> None:
    """The villager's answers to the item's form, typed by the assistant with the draft."""
    form = item_data.form_of(application)
    if form.is_empty or resident is None:
        return
    villager = VILLAGERS[case.villager] if case.villager else None
    raw = demo_answers(
        form,
        key=case.key,
        name=resident.name,
        id_number=villager.id_number if villager else "",
        village_code=run.villages[case.village].code,
        today_iso=moment.date().isoformat(),
        overrides={
            **case_answers(case.key, villager, run.villages[case.village], moment.date()),
            **dict(case.answers),
        }
        if villager
        else dict(case.answers),
    )
    parsed = services.item_data_save(actor=assistant, application=application, raw=raw)
    if parsed.errors:
        raise RuntimeError(f"demo case {case.key}: the form's answers were refused: {parsed.errors}")


def _assess(run: _Run, case: Case, application) -> None:
    """The clerk enters the office's own fields (核定, e.g. 月保障金额) before the first decision
    step, as the township does before it reviews or decides."""
    form = item_data.form_of(application)
    if form.is_empty:
        return
    application.refresh_from_db()
    answers = {
        **office_answers(form, application.item_data, key=case.key),
        **OFFICE_ANSWERS.get(case.key, {}),
    }
    answers = {
        key: value for key, value in answers.items() if application.item_data.get(key) in (None, "", [])
    }
    clerk = run.actor(case, Step("assess", 0, "", by="clerk"))
    for key, value in answers.items():
        services.item_data_correct(actor=clerk, application=application, key=key, raw={key: value}, reason="")


def _do_step(run: _Run, case: Case, step: Step, moment: datetime.datetime) -> None:
    if step.act == "draft":
        do = _do_online_draft if case.online else _do_draft
        run.applications[case.key] = do(run, case, step, moment)
        return
    application = run.applications[case.key]
    actor = run.actor(case, step)
    act = step.act
    if act in ("review", "forward", "approve"):
        application.refresh_from_db()
        if application.state == "accepted":
            _assess(run, case, application)
    if act == "hand_in":
        services.draft_hand_in_by_villager(application=application)
    elif act == "take":
        _do_take(run, case, application, actor, moment)
    elif act == "submit":
        services.application_submit(actor=actor, application=application)
    elif act == "assign":
        services.application_assign(actor=actor, application=application)
    elif act == "accept":
        services.application_accept(actor=actor, application=application, comment=step.text)
    elif act == "promise":
        items = [
            MissingItem(material=_material(application, name), reason=reason, due_on=run.days.day(step.until))
            for name, reason in step.materials
        ]
        resident = application.resident
        letter = letter_pdf(
            "容缺受理承诺书",
            [
                f"承诺人：{resident.name}",
                f"办理事项：{application.item_title}",
                *(f"承诺于{item.due_on:%Y年%m月%d日}前补交：{item.material_name}" for item in items),
                "逾期未补交的，同意终止办理。",
                f"承诺人签字：{resident.name}    日期：{moment:%Y年%m月%d日}",
            ],
        )
        services.application_accept_with_promise(
            actor=actor,
            application=application,
            items=items,
            promise_file=_upload("容缺受理承诺书.pdf", letter, "application/pdf"),
            comment=step.text,
        )
    elif act == "supply":
        for owed in NoticeItem.objects.filter(
            notice__application=application, notice__kind="promise", supplied_at__isnull=True
        ):
            services.application_supply(
                actor=actor,
                application=application,
                notice_item=owed,
                uploaded=_upload(
                    f"{owed.material_name}.png", scan_png(f"{case.key}:supply:{owed.pk}"), "image/png"
                ),
            )
    elif act == "return":
        items = [
            MissingItem(material=_material(application, name), reason=reason)
            for name, reason in step.materials
        ]
        services.application_return(actor=actor, application=application, items=items, note=step.text)
    elif act == "agree_second_return":
        services.application_agree_second_return(actor=actor, application=application, reason=step.text)
    elif act == "return_again":
        items = [
            MissingItem(material=_material(application, name), reason=reason)
            for name, reason in step.materials
        ]
        services.application_return_again(actor=actor, application=application, items=items, note=step.text)
    elif act == "resubmit":
        notice = application.notices.filter(kind="supplement").order_by("-issued_at", "-pk").first()
        for item in notice.items.all():
            services.file_attach(
                actor=actor,
                application=application,
                kind=ApplicationFile.Kind.MATERIAL,
                material=item.material,
                uploaded=_upload(
                    f"{item.material_name}（补正）.png", scan_png(f"{case.key}:again:{item.pk}"), "image/png"
                ),
            )
        services.application_resubmit(actor=actor, application=application, comment=step.text)
    elif act == "pause":
        services.application_pause(
            actor=actor, application=application, procedure=step.procedure, comment=step.text
        )
    elif act == "resume":
        services.application_resume(actor=actor, application=application, comment=step.text)
    elif act == "review":
        services.application_review(actor=actor, application=application, comment=step.text)
    elif act == "forward":
        services.application_forward(actor=actor, application=application, comment=step.text)
    elif act == "approve":
        services.application_approve(actor=actor, application=application, comment=step.text)
    elif act == "reject":
        services.application_reject(actor=actor, application=application, reason=step.text, basis=step.basis)
    elif act in ("hand_over", "revoke", "check"):
        _do_certificate_step(run, case, step, application, actor)
    elif act == "remote_link":
        with _texts_wait():
            _do_remote_link(run, case, application, actor, step)
    elif act == "remote_phone":
        with _texts_wait():
            _do_remote_phone(run, case, application)
    elif act == "withdraw":
        services.application_withdraw(actor=actor, application=application, reason=step.text)
    elif act == "terminate":
        owed = NoticeItem.objects.filter(
            notice__application=application, notice__kind="promise", supplied_at__isnull=True
        ).first()
        with translation.override(settings.LANGUAGE_CODE):
            # The words of the deadline sweep (approvals.reminders), which does this in production.
            reason = _("“%(material)s”, promised for %(day)s, was not handed in (容缺受理承诺未兑现).") % {
                "material": owed.material_name,
                "day": owed.due_on,
            }
        services.application_terminate(application=application, reason=reason)
    else:
        raise ValueError(f"unknown demo step {act!r}")


@contextmanager
def _texts_wait():
    """The link's and the codes' texts wait in the outbox like every demo text: the services ask
    for an immediate send (a code must arrive at once), which the demo load must not run (its
    deferred tasks run inside a transaction, and nothing is sent from a demo)."""
    with (
        mock.patch("online.services.outbox_send_task"),
        mock.patch("approvals.tracking.outbox_send_task"),
    ):
        yield


def _do_remote_link(run: _Run, case: Case, application, actor, step: Step) -> None:
    materials = [m.pk for m in application.item.materials.all() if m.required and not m.may_be_missing]
    sent = online.remote_link_send(
        actor=actor, application=application, materials=materials, consent=True, note=step.text
    )
    run.remote[case.key] = sent.url.rstrip("/").rsplit("/", 1)[1]


def _do_remote_phone(run: _Run, case: Case, application) -> None:
    """The phone's side through the services, reading the texted code from the outbox as the
    phone would."""
    token, browser = run.remote[case.key], f"demo-phone-{case.key}"
    online.remote_code_send(token=token, address=None, browser=browser)
    text = OutboxMessage.objects.filter(topic="one-time-code").order_by("-pk").first()
    code = re.search(r"(?<!\d)\d{6}(?!\d)", text.body).group(0)
    link = online.remote_link_open(token=token, code=code, address=None, browser=browser)
    for material in application.item.materials.filter(pk__in=link.material_ids):
        online.remote_upload(
            token=token,
            browser=browser,
            material_id=material.pk,
            uploaded=_upload(
                f"IMG_{material.pk:04d}.jpg", phone_photo(f"{case.key}:{material.name}"), "image/jpeg"
            ),
        )
    resident = application.resident
    online.remote_consent_sign(
        token=token,
        browser=browser,
        name=resident.name if resident is not None else "",
        method="signature",
        signature=demo_signature(),
        user_agent="Mozilla/5.0 (Linux; Android 13; V2166A) Mobile Safari/537.36",
    )
    online.remote_link_finish(token=token, browser=browser)


@functools.cache
def demo_signature() -> str:
    """A villager's signature as the phone's signature box posts it (a PNG data URL): a few
    strokes, drawn once."""
    image = Image.new("RGBA", (320, 120), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    pen.line([(20, 80), (60, 30), (90, 90), (130, 40), (170, 85)], fill=(27, 27, 27, 255), width=4)
    pen.line([(190, 60), (240, 55), (300, 70)], fill=(27, 27, 27, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _do_certificate_step(run: _Run, case: Case, step: Step, application, actor) -> None:
    certificate = certificates.current_certificate(application)
    if certificate is None:
        raise RuntimeError(f"demo case {case.key}: “{step.act}” needs a certificate in force")
    if step.act == "hand_over":
        certificates.application_hand_over(
            actor=actor,
            application=application,
            on=timezone.localdate(),
            how=step.how,
            note=step.text,
            signature=demo_signature(),
        )
    elif step.act == "revoke":
        certificates.certificate_revoke(
            actor=actor, certificate=certificate, reason=step.text, reissue=step.reissue
        )
    else:
        certificates.certificate_verify(address=None, token=certificate.token)


# What each step can create whose timestamp comes from a model default, which reads the real
# clock, not the patched one: uploaded files, notices, a new draft's state date. (The services
# stamp everything else from `timezone.now()`; the demo checks catch a stamp left behind.)
_DEFAULT_STAMPED = {
    "draft": ("files", "state"),
    "promise": ("files", "notices"),
    "supply": ("files",),
    "resubmit": ("files",),
    "remote_phone": ("files",),
    "return": ("notices",),
    "return_again": ("notices",),
}


def _date_stamps(application, act: str, moment: datetime.datetime) -> None:
    """Give the step's moment to the timestamps whose model defaults read the real clock."""
    stamped = _DEFAULT_STAMPED.get(act, ())
    if "files" in stamped:
        ApplicationFile.objects.filter(application=application, uploaded_at__gt=moment).update(
            uploaded_at=moment
        )
    if "notices" in stamped:
        Notice.objects.filter(application=application, issued_at__gt=moment).update(issued_at=moment)
    if "state" in stamped:
        Application.objects.filter(pk=application.pk, state_changed_at__gt=moment).update(
            state_changed_at=moment
        )


def _check_order(case: Case, days: Days) -> None:
    moments = [days.moment(step.day, step.at) for step in case.steps]
    if case.steps[0].act != "draft" or moments != sorted(moments):
        raise ValueError(f"demo case {case.key}: steps must start with the draft and go forward in time")


def load_demo_applications(progress: Callable[[str], None] = print) -> int:
    """Tell every demo case not yet in the database; return how many applications were created.

    Run after the catalogue, the calendars and the staff exist (the end of `load_demo`)."""
    existing = set(
        Application.objects.filter(client_token__in=[case_token(case.key) for case in CASES]).values_list(
            "client_token", flat=True
        )
    )
    todo = [case for case in CASES if case_token(case.key) not in existing]
    if not todo:
        progress(f"applications: all {len(CASES)} demo cases already loaded")
        return 0

    items = {item.item_code: item for item in items_for_filing()}
    missing = sorted({case.item for case in todo} - set(items))
    if missing:
        progress(f"applications: skipped the cases of items not in the catalogue: {', '.join(missing)}")
        todo = [case for case in todo if case.item in items]
    staff = {
        role: User.objects.get(username=username)
        for role, username in (
            ("clerk", "demo_clerk"),
            ("supervisor", "demo_supervisor"),
            ("officer", "demo_officer"),
        )
    }
    villages = {village.name: village for village in Region.objects.filter(level=RegionLevel.VILLAGE)}
    days = Days(timezone.localdate())
    run = _Run(days=days, staff=staff, items=items, villages=villages)

    timeline = []
    for case in todo:
        _check_order(case, days)
        timeline.extend(
            (days.moment(step.day, step.at), index, case, step) for index, step in enumerate(case.steps)
        )
    # All cases' steps in time order, as they happened, so each day's numbers follow the clock.
    timeline.sort(key=lambda entry: (entry[0], CASES.index(entry[2]), entry[1]))
    for moment, _index, case, step in timeline:
        with clock_at(moment):
            _do_step(run, case, step, moment)
        _date_stamps(run.applications[case.key], step.act, moment)

    report = deadlines_sweep()  # what the hourly job would have marked by now (due soon, overdue)
    states = Counter(
        Application.objects.filter(client_token__in=[case_token(case.key) for case in todo]).values_list(
            "state", flat=True
        )
    )
    summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    progress(
        f"applications: {len(todo)} demo cases ({summary}); {report.due_soon} due soon, "
        f"{report.overdue} overdue; their text messages wait in the outbox"
    )
    return len(todo)
