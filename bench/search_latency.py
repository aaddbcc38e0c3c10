"""Benchmark guide search: p50 and p95 of one search over 2,000 items, on SQLite and PostgreSQL.

Why this shape: villagers search from a phone and wait for the answer, and the search runs a
grouped query over every posting of the typed words, so its cost grows with the catalogue. The
benchmark builds a throwaway catalogue of plausible items (real item names varied with
township prefixes and suffixes such as （变更）), indexes it, and times searches drawn from what
villagers type (低保, dibao, db, typos) and from official names: first the selector alone
(`guide_search`), then the whole results page in-process (routing for a village included).

Each database gets its own throwaway copy: SQLite in a temp dir, and PostgreSQL as a new
database on postgres://postgres@127.0.0.1:5432 that is dropped afterwards. If PostgreSQL is
unreachable the script says so on stderr and reports SQLite only. Target: p95 of a search
under 30 ms on PostgreSQL.

Figures go to stdout one per line as `name = value unit`; everything else goes to stderr.
Exits non-zero if a setup step fails.

Usage: .venv/bin/python bench/search_latency.py [--items 2000] [--queries 200] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# Run as a script, Python puts bench/ first on the path, where bench/approvals.py and
# bench/ledger.py would shadow the apps of those names (the worker imports them through
# Django); the repository root must come first instead, and bench/ not at all.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(REPO_ROOT))

from bench.home_page import (  # noqa: E402  (the repo root must be importable first)
    PROJECT_SETTINGS,
    BenchError,
    Figures,
    executable,
    log,
    project_env,
    run_step,
)

PG_SERVER = "postgres://postgres@127.0.0.1:5432"

# Real item names of a county's list (事项清单), varied below into thousands of items.
BASE_ITEMS = [
    ("最低生活保障审核确认", "家庭人均收入低于当地低保标准的困难家庭，可以申请最低生活保障金。", "benefit"),
    (
        "特困人员认定",
        "无劳动能力、无生活来源、无法定赡养扶养义务人的老年人、残疾人和未成年人申请救助供养。",
        "confirmation",
    ),
    (
        "临时救助",
        "因火灾、交通事故、突发重大疾病导致基本生活暂时出现严重困难的家庭，可以申请临时救助。",
        "benefit",
    ),
    ("高龄津贴发放", "80周岁以上的老年人按月领取高龄津贴。", "benefit"),
    (
        "农村宅基地和建房（规划许可）审批",
        "农村村民申请宅基地新建、翻建住房，先办宅基地和乡村建设规划许可。",
        "licensing",
    ),
    (
        "城乡居民基本医疗保险参保登记",
        "没有职工医保的城乡居民，在每年集中缴费期参加居民医保。",
        "public_service",
    ),
    (
        "城乡居民基本养老保险参保登记",
        "年满16周岁、未参加职工养老保险的城乡居民，可以参加居民养老保险。",
        "public_service",
    ),
    ("残疾人证办理", "残疾人申请办理或换领中华人民共和国残疾人证。", "confirmation"),
    ("困难残疾人生活补贴发放", "低保家庭中的残疾人按月领取生活补贴。", "benefit"),
    ("重度残疾人护理补贴发放", "残疾等级为一级、二级的残疾人按月领取护理补贴。", "benefit"),
    ("孤儿基本生活费发放", "失去父母、查找不到生父母的未满18周岁未成年人领取基本生活费。", "benefit"),
    ("结婚登记", "男女双方到婚姻登记机关办理结婚登记，领取结婚证。", "confirmation"),
    ("生育登记服务", "夫妻生育子女，办理生育登记，领取生育服务证。", "public_service"),
    ("独生子女父母光荣证办理", "只生育一个子女的夫妻申领独生子女父母光荣证。", "confirmation"),
    ("农村危房改造补助", "住房困难的低收入家庭申请危房改造补助资金。", "benefit"),
    ("耕地地力保护补贴发放", "拥有耕地承包权的种地农民按面积领取补贴。", "benefit"),
    ("农机购置补贴申领", "购买列入目录的农业机械，申领购置补贴。", "benefit"),
    ("就业失业登记", "劳动年龄内有劳动能力的城乡劳动者办理就业或失业登记。", "public_service"),
    ("城乡居民养老保险待遇申领", "年满60周岁、累计缴费满15年的参保人按月领取养老金。", "benefit"),
    ("医疗救助", "低保对象、特困人员等困难群众看病自付部分的救助。", "benefit"),
    ("户口迁移", "因婚嫁、投靠、购房等迁移户口。", "confirmation"),
    ("出生登记", "新生儿在出生后一个月内申报出生登记，落户口。", "confirmation"),
    ("退役军人优待证办理", "退役军人申领优待证，享受优待服务。", "public_service"),
    ("老年人优待证办理", "60周岁以上老年人申领优待证。", "public_service"),
    ("门诊慢特病待遇认定", "患有高血压、糖尿病等慢性病的参保人申请门诊慢特病待遇。", "confirmation"),
    ("殡葬补贴发放", "本区户籍居民去世后，家属申领基本殡葬服务补贴。", "benefit"),
    ("计划生育家庭特别扶助金发放", "独生子女伤残或死亡的家庭领取特别扶助金。", "benefit"),
    ("家庭农场名录登记", "从事规模经营的家庭农场申请纳入名录管理。", "other_power"),
    ("农村土地承包经营权流转合同备案", "承包地流转双方签订合同后办理备案。", "other_power"),
    ("林木采伐许可证核发", "采伐林木前申请采伐许可证。", "licensing"),
    ("个体工商户登记", "从事工商业经营的个人办理个体工商户登记，领取营业执照。", "licensing"),
    ("食品小作坊登记", "从事食品生产加工的小作坊办理登记。", "licensing"),
    ("义务教育入学登记", "适龄儿童办理小学、初中入学登记。", "public_service"),
    ("学生资助申请", "家庭经济困难学生申请助学金。", "benefit"),
]
PREFIXES = [
    "",
    "",
    "郝各庄镇",
    "霍各庄镇",
    "口东镇",
    "大口屯镇",
    "新开口镇",
    "牛家牌镇",
    "钰华街道",
    "周良街道",
    "宝坻区",
]
SUFFIXES = [
    "",
    "",
    "（首次申请）",
    "（变更）",
    "（注销）",
    "（补办）",
    "（年度审核）",
    "（换领）",
    "（延续）",
]
DEPARTMENTS = [
    "宝坻区民政局",
    "宝坻区人力资源和社会保障局",
    "宝坻区医疗保障局",
    "宝坻区规划和自然资源局",
    "宝坻区农业农村委员会",
    "宝坻区残疾人联合会",
    "宝坻区卫生健康委员会",
    "宝坻区市场监督管理局",
]
MATERIALS = [
    "居民身份证",
    "户口簿",
    "家庭收入情况声明",
    "结婚证",
    "近期免冠照片",
    "申请表",
    "村民委员会证明",
    "银行账户",
]
SYNONYMS = {
    "低保": "最低生活保障",
    "盖房子": "宅基地建房",
    "医保": "基本医疗保险",
    "残疾证": "残疾人证",
    "养老保险": "基本养老保险",
    "五保": "特困人员",
    "护理补贴": "重度残疾人护理补贴",
    "种粮补贴": "耕地地力保护补贴",
    "农机补贴": "农机购置补贴",
    "领证": "结婚登记",
    "上户口": "出生登记",
    "迁户口": "户口迁移",
    "危房": "农村危房改造",
    "慢病": "门诊慢特病",
    "光荣证": "独生子女父母光荣证",
    "营业执照": "个体工商户登记",
    "上学": "义务教育入学登记",
    "养老金": "养老保险待遇",
}
VILLAGER_QUERIES = [
    "低保", "dibao", "di bao", "db", "dibo", "dbiao", "低宝",
    "盖房子", "gaifangzi", "gfz", "gaifangz", "我想盖房子", "盖房子要什么材料",
    "医保", "yibao", "yb", "yibo",
    "残疾证", "canjizheng", "cjz", "canjiren",
    "养老保险", "yanglaobaoxian", "yanglaobaoxain", "养老金",
    "五保", "wubao", "护理补贴", "种粮补贴", "农机补贴", "领证", "上户口", "shanghukou",
    "迁户口", "危房", "慢病", "光荣证", "营业执照", "上学", "临时救助", "linshijiuzhu", "高龄津贴",
    "郝各庄镇 低保", "低保 变更", "医保 登记", "身份证", "户口簿", "补贴",
]  # fmt: skip


# --- the worker: runs inside Django against one throwaway database -------------------------


def _build_catalogue(items: int, rng: random.Random) -> tuple[Any, list[str]]:
    """Regions, offices, a county home and guide, `items` items, synonyms, some delegations.
    Returns the village to route for and the item titles."""
    import datetime

    from django.db import transaction
    from wagtail.models import Page, Site

    from cms.models import CountyHomePage
    from portal.offices.models import Office, OfficeKind
    from portal.places.models import Region, RegionLevel
    from services_catalog.models import (
        Delegation,
        LegalBasis,
        LifeEvent,
        Material,
        ServiceGuideIndexPage,
        ServiceItemPage,
        Synonym,
    )

    names = [(prefix + base, summary, kind) for prefix in PREFIXES for base, summary, kind in BASE_ITEMS]
    combos = list(
        dict.fromkeys(
            (title + suffix, summary, kind) for title, summary, kind in names for suffix in SUFFIXES
        )
    )
    rng.shuffle(combos)
    if items > len(combos):
        raise BenchError(f"only {len(combos)} distinct item names; ask for fewer items")
    with transaction.atomic():
        county = Region.objects.create(code="120115000000", name="宝坻区", level=RegionLevel.COUNTY)
        township = Region.objects.create(
            code="120115121000", name="郝各庄镇", level=RegionLevel.TOWNSHIP, parent=county
        )
        village = Region.objects.create(
            code="120115121208", name="西郝各庄村", level=RegionLevel.VILLAGE, parent=township
        )
        departments = [
            Office.objects.create(
                name=name, short_name=name.removeprefix("宝坻"), kind=OfficeKind.DEPARTMENT, region=county
            )
            for name in DEPARTMENTS
        ]
        centre = Office.objects.create(name="郝各庄镇便民服务中心", kind=OfficeKind.CENTRE, region=township)
        # The life events come with the migrations (生育, 上学 …).
        events = list(LifeEvent.objects.all()) or [LifeEvent.objects.create(slug="other", name="其他")]
        home = Page.get_first_root_node().add_child(
            instance=CountyHomePage(title="宝坻区", slug="baodi", region=county)
        )
        Site.objects.update_or_create(
            is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
        )
        guide = home.add_child(instance=ServiceGuideIndexPage(title="办事指南", slug="guide"))
        for phrase, means in SYNONYMS.items():
            Synonym.objects.create(phrase=phrase, means=means)
        titles = []
        today = datetime.date.today()
        for n, (title, summary, kind) in enumerate(combos[:items], start=1):
            item = ServiceItemPage(
                title=title,
                slug=f"item-{n}",
                item_code=f"120115-SX-{n:05d}",
                item_type=kind,
                department=rng.choice(departments),
                summary=summary,
                conditions="具有本区户籍\n" + summary.split("，")[0] + "\n按规定提交申请材料",
                steps="向村级代办员提出申请\n乡镇便民服务中心受理\n部门审核办结",
                legal_limit_days=20,
                promised_limit_days=10,
            )
            item.legal_bases = [LegalBasis(text="《社会救助暂行办法》")]
            item.materials = [Material(name=name) for name in rng.sample(MATERIALS, rng.randint(1, 4))]
            item.life_events = rng.sample(events, rng.randint(0, 2))
            guide.add_child(instance=item)
            titles.append(title)
            if n % 4 == 0:
                delegation = Delegation.objects.create(
                    item=item,
                    department=item.department,
                    mode="entrustment",
                    document_number=f"宝坻政发〔2024〕{n}号",
                    valid_from=today - datetime.timedelta(days=30),
                )
                delegation.centres.set([centre])
            if n % 500 == 0:
                log(f"  {n} items built")
    return village, titles


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the value below which `share` of the measurements fall."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def run_worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from portal.offices.selectors import PLACE_COOKIE
    from services_catalog.models import Synonym
    from services_catalog.search.selectors import guide_search
    from services_catalog.search.services import search_index_rebuild

    rng = random.Random(args.seed)
    started = time.monotonic()
    village, titles = _build_catalogue(args.items, rng)
    log(f"  catalogue built in {time.monotonic() - started:.1f} s")
    stats = search_index_rebuild()
    if connection.vendor == "postgresql":
        # What `manage.py rebuild_guide_search` does after a rebuild (and autovacuum soon after
        # any bulk insert): statistics for the planner, the visibility map for index-only scans.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) guide_search_searchterm")
            cursor.execute("VACUUM (ANALYZE) guide_search_searchentry")
            cursor.execute("ANALYZE")
    before = time.perf_counter()
    Synonym.objects.create(phrase="办证", means="证办理")  # re-derives every page's synonym terms
    synonym_change_seconds = time.perf_counter() - before
    pool = VILLAGER_QUERIES + [base for base, _summary, _kind in BASE_ITEMS] + rng.sample(titles, 40)
    queries = [rng.choice(pool) for _ in range(args.queries)]
    for query in pool[:30]:  # warm-up: pypinyin's dictionaries, the connection, the caches
        guide_search(query)
    found = 0
    search_ms = []
    for query in queries:
        before = time.perf_counter()
        hits = guide_search(query)
        search_ms.append((time.perf_counter() - before) * 1000)
        found += bool(hits)
    with CaptureQueriesContext(connection) as captured:
        guide_search("低保")
    # Counted now: every request of the test client below clears the connection's query log.
    queries_per_search = len(captured)
    client = Client(HTTP_HOST="localhost")
    client.cookies[PLACE_COOKIE] = village.code
    client.get("/search/", {"q": "低保"})
    page_ms = []
    page_bytes = 0
    for query in queries:
        before = time.perf_counter()
        response = client.get("/search/", {"q": query})
        page_ms.append((time.perf_counter() - before) * 1000)
        if response.status_code != 200:
            raise BenchError(f"/search/?q={query} answered {response.status_code}")
        page_bytes = max(page_bytes, len(response.content))
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "items": args.items,
                "pages_indexed": stats.pages,
                "terms": stats.terms,
                "index_seconds": stats.seconds,
                "synonym_change_seconds": synonym_change_seconds,
                "search_p50_ms": _percentile(search_ms, 0.50),
                "search_p95_ms": _percentile(search_ms, 0.95),
                "search_max_ms": max(search_ms),
                "page_p50_ms": _percentile(page_ms, 0.50),
                "page_p95_ms": _percentile(page_ms, 0.95),
                "page_max_bytes": page_bytes,
                "queries_per_search": queries_per_search,
                "share_with_hits": found / len(queries),
            }
        )
    )
    return 0


# --- the orchestrator ---------------------------------------------------------------------


def _postgres_create(name: str) -> bool:
    """Create the throwaway database; False (and a line on stderr) if PostgreSQL is unreachable."""
    try:
        import psycopg
    except ImportError:
        log("PostgreSQL skipped: psycopg is not installed")
        return False
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        log(f"PostgreSQL at {PG_SERVER} is not reachable ({str(exc).strip()}); reporting SQLite only")
        return False
    return True


def _postgres_drop(name: str) -> None:
    import psycopg

    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error as exc:
        log(f"WARNING: could not drop the throwaway database {name}: {exc}")


def _measure(tmp: Path, python: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    env = project_env(tmp, PROJECT_SETTINGS)
    env["DATABASE_URL"] = database_url
    env["DATABASE_CONN_MAX_AGE"] = "0"
    manage = [python, str(REPO_ROOT / "manage.py")]
    label = database_url.split(":", 1)[0]
    run_step(f"{label}: migrate", [*manage, "migrate", "--noinput"], env, timeout=900, verbose=args.verbose)
    worker = [
        python,
        str(Path(__file__).resolve()),
        "--worker",
        f"--items={args.items}",
        f"--queries={args.queries}",
        f"--seed={args.seed}",
    ]
    stdout = run_step(f"{label}: build, index and search", worker, env, timeout=3600, verbose=args.verbose)
    try:
        return json.loads(stdout.strip().splitlines()[-1])
    except (IndexError, ValueError) as exc:
        raise BenchError(f"{label}: the worker printed no figures") from exc


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000, help="items in the catalogue (2000, at most 2720)")
    parser.add_argument("--queries", type=int, default=200, help="searches timed (200)")
    parser.add_argument("--seed", type=int, default=20240301, help="random seed for names and queries")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--verbose", action="store_true", help="show the output of every setup step")
    parser.add_argument(
        "--keep-tmp", action="store_true", help="keep the SQLite database for a look afterwards"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _terminate(signum, frame):
    """Turn SIGTERM into SystemExit so that the finally block drops the throwaway database."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure on SQLite, then on PostgreSQL if reachable; print figures; 0 if all went well."""
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-search-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    figures = Figures()
    failed = False
    pg_name = f"cunban_bench_search_{os.getpid()}_{secrets.token_hex(3)}"
    pg_created = False
    try:
        # DEBUG is off, as in production, so the page needs the collected, hashed static files.
        run_step(
            "collectstatic",
            [python, str(REPO_ROOT / "manage.py"), "collectstatic", "--noinput"],
            project_env(tmp, PROJECT_SETTINGS),
            timeout=600,
            verbose=args.verbose,
        )
        backends = [("sqlite", f"sqlite:///{tmp / 'bench.sqlite3'}")]
        if not args.no_postgres:
            pg_created = _postgres_create(pg_name)
            if pg_created:
                backends.append(("postgresql", f"{PG_SERVER}/{pg_name}"))
        first = True
        for vendor, url in backends:
            result = _measure(tmp, python, url, args)
            if first:
                figures.add("search_items", result["items"], "count")
                first = False
            figures.add(f"search_{vendor}_p50_latency", result["search_p50_ms"], "ms", decimals=2)
            figures.add(f"search_{vendor}_p95_latency", result["search_p95_ms"], "ms", decimals=2)
            figures.add(f"search_{vendor}_max_latency", result["search_max_ms"], "ms", decimals=2)
            figures.add(f"search_{vendor}_page_p50_latency", result["page_p50_ms"], "ms", decimals=2)
            figures.add(f"search_{vendor}_page_p95_latency", result["page_p95_ms"], "ms", decimals=2)
            figures.add(f"search_{vendor}_queries_per_search", result["queries_per_search"], "count")
            figures.add(f"search_{vendor}_index_rebuild", result["index_seconds"], "s", decimals=1)
            figures.add(f"search_{vendor}_index_terms", result["terms"], "count")
            figures.add(f"search_{vendor}_synonym_change", result["synonym_change_seconds"], "s", decimals=2)
            figures.add(f"search_{vendor}_page_max_bytes", result["page_max_bytes"], "bytes")
            figures.add(f"search_{vendor}_share_with_hits", result["share_with_hits"], "ratio", decimals=2)
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        figures.print()
        if pg_created:
            _postgres_drop(pg_name)
        if args.keep_tmp:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
