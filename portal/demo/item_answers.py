"""Demo answers to the items' application forms (申请表), as the assistant types them.

The demo catalogue gives eight items a form (services_catalog/demo_catalogue/items.csv, column
`application_form`); a case of such an item is only submitted with the form filled in, as in
production. The answers follow each case's story (its note in `applications.CASES`) and go in
through the services, as flat inputs (`household.1.member.id_number`), like the filing page
sends them. `OFFICE_ANSWERS` are the 核定 fields the handling clerk enters before the decision.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from portal.places.models import Region


class Villager(Protocol):
    """A demo villager (`applications.Villager`, a frozen dataclass), as the answers use one.
    Named by its shape: applications.py imports this module, not the other way round."""

    name: str
    village: str
    birth: str
    order: int
    mobile: str

    @property
    def id_number(self) -> str: ...


BANK = "天津农商银行宝坻支行"


@dataclass(frozen=True)
class _Filing:
    """What an answer needs to know: who applies, where, on which day."""

    villager: Villager
    village: Region
    today: datetime.date


def _person(key: str, who: Villager, relation: str) -> dict[str, str]:
    return {f"{key}.name": who.name, f"{key}.id_number": who.id_number, f"{key}.relation": relation}


def _bank(key: str, who: Villager) -> dict[str, str]:
    return {
        f"{key}.bank": BANK,
        f"{key}.account": f"6231{who.birth}{who.order:03d}0",
        f"{key}.holder": who.name,
    }


def _member(group: str, number: int, child: str, who: Villager, relation: str, **more: str) -> dict[str, str]:
    prefix = f"{group}.{number}."
    return {**_person(f"{prefix}{child}", who, relation), **{prefix + k: v for k, v in more.items()}}


def _relative(name: str, filing: _Filing, birth: str, order: int) -> Villager:
    """A family member who is not one of the demo's villagers (odd order: male)."""
    # The villager is a dataclass; the Protocol only names its shape.
    return dataclasses.replace(filing.villager, name=name, birth=birth, order=order, mobile="")  # type: ignore[type-var]


# -- 最低生活保障审核确认 ----------------------------------------------------------------------------


def _dibao(
    filing: _Filing,
    *,
    reason: str,
    income: str,
    others: list[tuple[Villager, str, str, str]],
    employment: str,
    vehicle: bool = False,
    house: str = "",
    savings: str = "3000",
) -> dict[str, str]:
    answers = {
        **_member(
            "household", 1, "member", filing.villager, "本人", monthly_income=income, employment=employment
        ),
        "reason": reason,
        "savings": savings,
        "has_vehicle": "yes" if vehicle else "no",
        "has_other_house": "yes" if house else "no",
        **_bank("payment_account", filing.villager),
    }
    if house:
        answers["house_detail"] = house
    for number, (who, relation, other_income, other_work) in enumerate(others, start=2):
        answers.update(
            _member(
                "household",
                number,
                "member",
                who,
                relation,
                monthly_income=other_income,
                employment=other_work,
            )
        )
    return answers


def _dibao_wang(f: _Filing) -> dict[str, str]:
    # 老伴去年住院花了不少钱，两人靠种地和零工收入
    wife = _relative("李淑珍", f, "19540611", 22)
    return _dibao(
        f, reason="因病", income="650", employment="务农", others=[(wife, "配偶", "0", "丧失劳动能力")]
    )


def _dibao_ma(f: _Filing) -> dict[str, str]:
    # 丈夫去世，本人患慢性病不能干重活
    return _dibao(f, reason="因病", income="300", employment="丧失劳动能力", others=[], savings="1200")


def _dibao_liu(f: _Filing) -> dict[str, str]:
    # 独自抚养孙子，无固定收入
    grandson = _relative("刘子轩", f, "20130827", 35)
    return _dibao(
        f,
        reason="缺少劳动力",
        income="400",
        employment="务农",
        others=[(grandson, "孙子女", "0", "在校学生")],
    )


def _dibao_li(f: _Filing) -> dict[str, str]:
    # 丈夫瘫痪在床，女儿在外地；家庭成员有外区房产（共有份额）
    husband = _relative("王德福", f, "19560302", 51)
    return _dibao(
        f,
        reason="因残",
        income="500",
        employment="务农",
        others=[(husband, "配偶", "0", "丧失劳动能力")],
        house="与兄弟共有的武清区住房一处（共有份额四分之一，约20平方米）",
    )


# -- other items -------------------------------------------------------------------------------


def _gaoling(living: str) -> Callable[[_Filing], dict[str, str]]:
    def answers(f: _Filing) -> dict[str, str]:
        birth = f.villager.birth
        return {
            "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
            "living": living,
            **_bank("payment_account", f.villager),
            "by_agent": "no",
        }

    return answers


def _zhaijidi(f: _Filing) -> dict[str, str]:
    # 原有房屋年久失修，拆除后在原宅基地翻建两层住房
    wife = _relative("赵红梅", f, "19810914", 28)
    son = _relative("李浩宇", f, "20080411", 17)
    return {
        "site.region": f.village.code,
        "site.detail": "村西三排12号（原宅基地）",
        "build_type": "原址翻建",
        "plot_area": "158.5",
        "floor_area": "226",
        "floors": "2",
        "height": "7.2",
        "has_old_plot": "yes",
        "old_plot_use": "在原址翻建",
        **_member("household", 1, "member", f.villager, "本人", collective_member="yes"),
        **_member("household", 2, "member", wife, "配偶", collective_member="yes"),
        **_member("household", 3, "member", son, "子女", collective_member="yes"),
    }


def _gengdi(f: _Filing) -> dict[str, str]:
    # 承包地12亩
    return {
        "contract_number": "120115104218010045J",
        "plots.1.plot_name": "村东大洼地",
        "plots.1.area": "7.5",
        "plots.1.crop": "小麦",
        "plots.2.plot_name": "村南河沿地",
        "plots.2.area": "4.5",
        "plots.2.crop": "玉米",
        "transferred": "no",
        **_bank("payment_account", f.villager),
    }


def _tiaojie(f: _Filing) -> dict[str, str]:
    # 与邻居因宅基地边界的院墙发生纠纷
    return {
        "dispute_type": "宅基地使用",
        "place.region": f.village.code,
        "place.detail": "村北二排5号与6号之间的院墙",
        "story": "邻居翻建院墙时把墙基向我家一侧挪了约半米，多次商量没有结果，两家为此吵过几次。",
        "request": "请邻居按原来的界线重砌院墙，恢复原状。",
        "elsewhere": "no",
        "parties.1.party_name": "李长海",
        "parties.1.party_phone": "13900003299",
        "parties.1.party_address": "东郝各庄村北二排6号",
    }


def _yibao(category: str, pay: str) -> Callable[[_Filing], dict[str, str]]:
    def answers(f: _Filing) -> dict[str, str]:
        out = {
            **_member("insured", 1, "person", f.villager, "本人", category=category, aided_as="无"),
            "pay_method": pay,
            "phone": f.villager.mobile,
        }
        if pay == "银行代扣":
            out.update(_bank("debit_account", f.villager))
        return out

    return answers


def _canjizheng(f: _Filing) -> dict[str, str]:
    # 脑梗后遗症，右侧肢体活动不便
    return {"disability_type": "肢体", "cause": "疾病", "since": "2024-05-10", "by_guardian": "no"}


def _shengyu(f: _Filing) -> dict[str, str]:
    # 怀孕三个月
    husband = _relative("张宏伟", f, "19940307", 31)
    return {
        **_person("spouse", husband, "配偶"),
        "marriage_date": "2023-10-02",
        "residence": "双方本市户籍",
        "status": "已怀孕",
        "due_date": (f.today + datetime.timedelta(days=180)).isoformat(),
        "child_order": "1",
    }


# The answers of each demo case (by case key) whose item has a form.
ANSWERS: dict[str, Callable[[_Filing], dict[str, str]]] = {
    "xhgz-dibao-submitted": _dibao_wang,
    "xhgz-dibao-reviewed": _dibao_ma,
    "xhgz-dibao-approved": _dibao_liu,
    "dhgz-dibao-county-approved": _dibao_li,
    "xhgz-gaoling-draft": _gaoling("与子女同住"),
    "xhgz-gaoling-overdue": _gaoling("与配偶同住"),
    "xhgz-gaoling-reviewed-overdue": _gaoling("独居"),
    "xhgz-gaoling-rejected": _gaoling("与子女同住"),
    "hbm-gaoling-submitted": _gaoling("与子女同住"),
    "xhgz-zhaijidi-paused": _zhaijidi,
    "dhgz-gengdi-approved": _gengdi,
    "dhgz-tiaojie-rejected": _tiaojie,
    "qgz-yibao-draft": _yibao("成年居民", "银行代扣"),
    "yxz-yibao-submitted": _yibao("成年居民", "手机银行缴费"),
    "dhgz-canjizheng-county-paused": _canjizheng,
    "ylz-shengyu-draft": _shengyu,
}

# 核定: what the handling office enters before its decision (case key → {field key: typed value}).
OFFICE_ANSWERS: dict[str, dict[str, str]] = {
    "xhgz-dibao-reviewed": {"monthly_benefit": "760"},
    "xhgz-dibao-approved": {"monthly_benefit": "1420"},
    "dhgz-dibao-county-approved": {"monthly_benefit": "1180"},
    "dhgz-gengdi-approved": {"verified_area": "12", "subsidy": "1236"},
}


def case_answers(key: str, villager: Villager, village: Region, today: datetime.date) -> dict[str, str]:
    """The flat form inputs of demo case `key` ({} when its item asks nothing more)."""
    make = ANSWERS.get(key)
    return make(_Filing(villager=villager, village=village, today=today)) if make else {}
