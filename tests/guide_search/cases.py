"""What villagers type, and the item each must find first. Shared by the SQLite and the
PostgreSQL runs."""

from .conftest import DISABILITY, HOUSING, LOW_INCOME, MEDICAL, OLD_AGE, PENSION, TEMPORARY_RELIEF

FIRST_HIT = [
    # official names and parts of them
    (LOW_INCOME, LOW_INCOME),
    ("最低生活", LOW_INCOME),
    (HOUSING, HOUSING),
    ("农村宅基地和建房(规划许可)审批", HOUSING),
    ("临时救助", TEMPORARY_RELIEF),
    ("高龄津贴", OLD_AGE),
    # villagers' words (synonyms)
    ("低保", LOW_INCOME),
    ("盖房子", HOUSING),
    ("我想盖房子", HOUSING),
    ("盖房子要什么材料？", HOUSING),
    ("医保", MEDICAL),
    ("残疾证", DISABILITY),
    ("养老保险", PENSION),
    # full pinyin, pinyin by syllable, pinyin of part of a title
    ("dibao", LOW_INCOME),
    ("di bao", LOW_INCOME),
    ("gaifangzi", HOUSING),
    ("yibao", MEDICAL),
    ("yanglaobaoxian", PENSION),
    ("canjiren", DISABILITY),
    ("linshijiuzhu", TEMPORARY_RELIEF),
    ("ＤＩＢＡＯ", LOW_INCOME),
    # initials
    ("db", LOW_INCOME),
    ("gfz", HOUSING),
    ("yb", MEDICAL),
    ("cjrz", DISABILITY),
    # typos: one letter missing, swapped, extra, changed; a homophone typed with a pinyin keyboard
    ("dibo", LOW_INCOME),
    ("dbiao", LOW_INCOME),
    ("gaifangz", HOUSING),
    ("gaifnagzi", HOUSING),
    ("yanglaobaoxiann", PENSION),
    ("linshijiuzu", TEMPORARY_RELIEF),
    ("低宝", LOW_INCOME),
]
