"""Demo county: 天津市宝坻区, with real names and statistical division codes.

Source of codes: National Bureau of Statistics (国家统计局) 统计用区划代码,
2017 edition (data as of 2017-10-31, published 2018), as mirrored in the
GitHub repository netnr/zoning:
  - townships:  dist/zoning-4/12/120115.json
  - villages:   dist/zoning-5/12/120115121.json  (郝各庄镇)
                dist/zoning-5/12/120115111.json  (霍各庄镇)
                dist/zoning-5/12/120115107.json  (大钟庄镇)
                dist/zoning-5/12/120115120.json  (史各庄镇)
The 2023 edition could not be consulted; these codes were not re-checked
against it. (One cross-check: 120115111208 / 霍各庄镇 appears unchanged in
the 2020 edition, per Kushim-Jiang/zhihu
article/008_eight_supplement_part_one.md.)
Village names are the NBS "XX村委会" entries with the "委会" suffix dropped
(e.g. "西郝各庄村委会" -> "西郝各庄村").

Department names follow the district's usual "天津市宝坻区XX局/委员会"
styling; they were not each confirmed on the district site.
Phone numbers are fictional (022-2924xxxx for offices, 1390000xxxx for
mobiles). Assistants are fictional people. Addresses are generic
placeholders, not real street or personal addresses.
"""

OFFICE_HOURS = "周一至周五 9:00-12:00，13:30-17:00"

COUNTY = {"code": "120115000000", "name": "宝坻区", "full_name": "天津市宝坻区"}

# Where the county's decisions are challenged (救济途径), printed on every refusal paper.
REMEDIES = {
    "review_body": "天津市宝坻区人民政府",
    "review_contact": "宝坻区人民政府行政复议办公室（设在区司法局），宝坻区南三路10号，电话022-29241148",
    "review_days": 60,
    "court": "天津市宝坻区人民法院",
    "court_contact": "宝坻区钰华街道北关大街2号，诉讼服务电话022-29249561",
    "litigation_months": 6,
}

# Items whose papers cite their own law instead of their type's default (程序依据).
PROCEDURE_BASIS = {
    "120115-JF-001": "《社会救助暂行办法》第十一条、《最低生活保障审核确认办法》（民发〔2021〕57号）",
}

DEPARTMENTS = [  # county departments (县直部门)
    {
        "name": "天津市宝坻区政务服务办公室",
        "short_name": "区政务服务办",
        "phone": "022-29240100",
        "address": "宝坻区政务服务中心 综合窗口",
        "hours": OFFICE_HOURS,
    },
    {
        "name": "天津市宝坻区民政局",
        "short_name": "区民政局",
        "phone": "022-29240101",
        "address": "宝坻区政务服务中心 民政服务窗口",
        "hours": OFFICE_HOURS,
    },
    {
        "name": "天津市宝坻区人力资源和社会保障局",
        "short_name": "区人社局",
        "phone": "022-29240102",
        "address": "宝坻区政务服务中心 人社服务窗口",
        "hours": OFFICE_HOURS,
    },
    {
        "name": "天津市宝坻区农业农村委员会",
        "short_name": "区农业农村委",
        "phone": "022-29240103",
        "address": "宝坻区政务服务中心 农业农村服务窗口",
        "hours": OFFICE_HOURS,
    },
    {
        "name": "天津市宝坻区医疗保障局",
        "short_name": "区医保局",
        "phone": "022-29240104",
        "address": "宝坻区政务服务中心 医保服务窗口",
        "hours": OFFICE_HOURS,
    },
]

TOWNSHIPS = [
    {
        "code": "120115121000",
        "name": "郝各庄镇",
        "centre": {
            "name": "郝各庄镇便民服务中心",
            "short_name": "郝各庄镇",
            "phone": "022-29241210",
            "address": "郝各庄镇政府院内",
            "hours": OFFICE_HOURS,
        },
        "villages": [
            {
                "code": "120115121208",
                "name": "西郝各庄村",
                "station_phone": "022-29241211",
                "assistant": {"name": "王建军", "mobile": "13900001211"},
            },
            {
                "code": "120115121207",
                "name": "东郝各庄村",
                "station_phone": "022-29241212",
                "assistant": {"name": "李秀兰", "mobile": "13900001212"},
            },
            {
                "code": "120115121206",
                "name": "前郝各庄村",
                "station_phone": "022-29241213",
                "assistant": {"name": "张国强", "mobile": "13900001213"},
            },
            {
                "code": "120115121204",
                "name": "秦各庄村",
                "station_phone": "022-29241214",
                "assistant": {"name": "刘淑芬", "mobile": "13900001214"},
            },
        ],
    },
    {
        "code": "120115111000",
        "name": "霍各庄镇",
        "centre": {
            "name": "霍各庄镇便民服务中心",
            "short_name": "霍各庄镇",
            "phone": "022-29241110",
            "address": "霍各庄镇政府院内",
            "hours": OFFICE_HOURS,
        },
        "villages": [
            {
                "code": "120115111201",
                "name": "西霍各庄村",
                "station_phone": "022-29241111",
                "assistant": {"name": "陈志刚", "mobile": "13900001111"},
            },
            {
                "code": "120115111228",
                "name": "东霍各庄村",
                "station_phone": "022-29241112",
                "assistant": {"name": "杨丽娟", "mobile": "13900001112"},
            },
            {
                "code": "120115111202",
                "name": "后白庙村",
                "station_phone": "022-29241113",
                "assistant": {"name": "赵海涛", "mobile": "13900001113"},
            },
        ],
    },
    {
        "code": "120115107000",
        "name": "大钟庄镇",
        "centre": {
            "name": "大钟庄镇便民服务中心",
            "short_name": "大钟庄镇",
            "phone": "022-29241070",
            "address": "大钟庄镇政府院内",
            "hours": OFFICE_HOURS,
        },
        "villages": [
            {
                "code": "120115107201",
                "name": "司家庄村",
                "station_phone": "022-29241071",
                "assistant": {"name": "孙桂英", "mobile": "13900001071"},
            },
            {
                "code": "120115107202",
                "name": "燕喜庄村",
                "station_phone": "022-29241072",
                "assistant": {"name": "周文明", "mobile": "13900001072"},
            },
            {
                "code": "120115107226",
                "name": "袁罗庄村",
                "station_phone": "022-29241073",
                "assistant": {"name": "吴玉梅", "mobile": "13900001073"},
            },
        ],
    },
    {
        "code": "120115120000",
        "name": "史各庄镇",
        "centre": {
            "name": "史各庄镇便民服务中心",
            "short_name": "史各庄镇",
            "phone": "022-29241200",
            "address": "史各庄镇政府院内",
            "hours": OFFICE_HOURS,
        },
        "villages": [
            {
                "code": "120115120201",
                "name": "史各庄村",
                "station_phone": "022-29241201",
                "assistant": {"name": "郑宏伟", "mobile": "13900001201"},
            },
            {
                "code": "120115120202",
                "name": "东马各庄村",
                "station_phone": "022-29241202",
                "assistant": {"name": "马春燕", "mobile": "13900001202"},
            },
            {
                "code": "120115120203",
                "name": "西马各庄村",
                "station_phone": "022-29241203",
                "assistant": {"name": "朱立新", "mobile": "13900001203"},
            },
        ],
    },
]
