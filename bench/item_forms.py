"""Benchmark the item application forms (申请表) at a county's scale: 10,000 applications with data.

Why this shape: the lists filter on the JSON of every application (a containment the GIN index
`app_item_data_gin` answers, or a range over a key), the export writes chosen fields as columns,
and the filing and detail pages of an item with a long form (30 fields, a household of eight)
render many more inputs than an item without one. The benchmark builds a throwaway county (the
test suite's `build_world` and the three items of `bench/approvals.py`), gives 最低生活保障 a
30-field form (published as an editor would, `tests.item_forms.give_form`), files and submits a
few applications of each item through the services, then writes `--count` more in bulk as
copies of those (`bulk_create`), each with its own random answers.

It prints, each the median of `--repeats` loads through Django's test client, with its query count:

- the clerk's inbox: plain, filtered to the item, filtered by an exact field (containment) and
  by a money range, each with four fields shown as columns;
- the CSV export: filtered (one item, a field filter, four columns) and everything open;
- the assistant's filing page of a draft (GET, and POST saving the whole form) for the item with
  the form and eight household members, next to an item without a form;
- the clerk's detail page of a submitted application of each.

It also says whether PostgreSQL's plan for the exact filter uses `app_item_data_gin` as it is
(no planner settings changed). The database is a new PostgreSQL database on DATABASE_URL's server
(or the local one), dropped at the end. Figures go to stdout one per line as `name = value unit`;
everything else to stderr. No timed test lives in the suite: these are numbers to read.

Usage: .venv/bin/python bench/item_forms.py [--count 10000] [--repeats 10] [--show-sql]
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# Run as a script, Python puts bench/ first on the path, where bench/approvals.py would shadow
# the `approvals` app; the repository root must come first instead.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(REPO_ROOT))

from bench.approvals import (  # noqa: E402  (the repo root must be importable first)
    _analyze,
    _build_county,
    _percentile,
    _png,
    _run_worker,
    _terminate,
    throwaway_postgres,
)
from bench.home_page import (  # noqa: E402
    PROJECT_SETTINGS,
    BenchError,
    Figures,
    executable,
    finish,
    log,
    project_env,
    run_step,
)

HOUSEHOLD = 8
REASONS = ["因病", "因残", "因灾", "缺乏劳动力", "其他"]
WORK = ["务农", "务工", "无业", "在校"]
HOUSING = ["砖混", "砖木", "土坯", "其他"]
COLUMNS = ["reason", "monthly_income", "household_size", "has_car"]


def big_form() -> dict[str, Any]:
    """A 30-field form: the household (a group of eight, four fields each), 25 scalar fields of
    every kind, a bank account and an address."""

    def money(key, label):
        return {"key": key, "kind": "money", "label": label, "min": "0"}

    def number(key, label, unit=""):
        return {"key": key, "kind": "number", "label": label, "min": "0", "max": "1000", "unit": unit}

    def yesno(key, label):
        return {"key": key, "kind": "yesno", "label": label}

    def text(key, label):
        return {"key": key, "kind": "text", "label": label, "max_length": 100}

    return {
        "sections": [
            {
                "title": "家庭成员",
                "intro": "共同生活的家庭成员，包括申请人本人。",
                "fields": [
                    {
                        "key": "household",
                        "kind": "group",
                        "label": "家庭成员",
                        "required": True,
                        "max_items": HOUSEHOLD,
                        "fields": [
                            {"key": "member", "kind": "person", "label": "成员", "required": True},
                            money("income", "月收入"),
                            {"key": "work", "kind": "choice", "label": "就业状况", "choices": WORK},
                            yesno("disabled", "残疾"),
                        ],
                    },
                    number("household_size", "家庭人口", "人"),
                ],
            },
            {
                "title": "家庭情况",
                "fields": [
                    {
                        "key": "reason",
                        "kind": "choice",
                        "label": "申请原因",
                        "required": True,
                        "choices": REASONS,
                    },
                    {"key": "since", "kind": "date", "label": "困难起始日期", "past_only": True},
                    money("monthly_income", "家庭月收入"),
                    money("yearly_income", "家庭年收入"),
                    money("savings", "存款"),
                    money("debts", "负债"),
                    money("medical_costs", "年医疗支出"),
                    money("school_costs", "年教育支出"),
                    money("pension", "月养老金"),
                    number("land_mu", "承包地", "亩"),
                    number("rooms", "住房间数", "间"),
                    number("house_area", "住房面积", "平方米"),
                    {"key": "house_kind", "kind": "choice", "label": "住房结构", "choices": HOUSING},
                    yesno("has_car", "家里有机动车"),
                    yesno("has_business", "经营个体工商户"),
                    yesno("has_official", "有公职人员"),
                    yesno("other_help", "享受其他救助"),
                    yesno("agrees_check", "同意核对家庭经济状况"),
                    text("employer", "主要劳动力工作单位"),
                    text("illness", "主要疾病"),
                    text("note", "其他说明"),
                    text("village_opinion", "村委会意见"),
                    number("elderly", "60岁以上人数", "人"),
                    number("children", "未成年人数", "人"),
                ],
            },
            {
                "title": "发放",
                "fields": [
                    {"key": "bank", "kind": "bank_account", "label": "低保金发放账户", "required": True},
                    {"key": "home", "kind": "address", "label": "居住地址"},
                ],
            },
        ],
        "certificate": [{"label": "保障人数", "field": "household", "show": "count"}],
    }


def _random_data(rng: random.Random, ids: list[str], village_code: str) -> dict[str, Any]:
    """Typed answers as the data stores them (masked ID numbers, money in fen)."""
    size = rng.randint(1, HOUSEHOLD)
    household = [
        {
            "member": {
                "name": rng.choice("王李张刘陈") + rng.choice(["秀英", "建国", "玉梅", "志强"]),
                "id_number": ids[n % len(ids)][:4] + "**********" + ids[n % len(ids)][-4:],
                "relation": "本人" if n == 0 else rng.choice(["配偶", "子女", "父母"]),
            },
            "income": rng.randrange(0, 300000, 100),
            "work": rng.choice(WORK),
            "disabled": rng.random() < 0.1,
        }
        for n in range(size)
    ]
    money = {
        key: rng.randrange(0, 5_000_000, 100)
        for key in ("yearly_income", "savings", "debts", "medical_costs", "school_costs", "pension")
    }
    return {
        "household": household,
        "household_size": size,
        "reason": rng.choice(REASONS),
        "since": f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "monthly_income": rng.randrange(0, 400000, 50),
        **money,
        "land_mu": rng.randint(0, 20),
        "rooms": rng.randint(1, 8),
        "house_area": rng.randint(20, 200),
        "house_kind": rng.choice(HOUSING),
        "has_car": rng.random() < 0.2,
        "has_business": rng.random() < 0.05,
        "has_official": False,
        "other_help": rng.random() < 0.3,
        "agrees_check": True,
        "employer": rng.choice(["无", "宝坻区第一纺织厂", "大钟庄农机站", "外出务工"]),
        "illness": rng.choice(["", "糖尿病", "高血压", "脑梗"]),
        "note": "",
        "village_opinion": "情况属实",
        "elderly": rng.randint(0, 2),
        "children": rng.randint(0, 3),
        "bank": {
            "bank": "农村商业银行宝坻支行",
            "account": "****6789",
            "holder": household[0]["member"]["name"],
        },
        "home": {"region": village_code, "detail": f"{rng.randint(1, 300)}号"},
    }


def _full_input(form, rng: random.Random, today, village_code: str) -> dict[str, str]:
    """Every input of the form, typed as an assistant would (full ID numbers), eight members."""
    from services_catalog.item_forms.values import flatten
    from tests.factories import make_id_number

    ids = [make_id_number(area="120224", birth=f"19{60 + n}0101", order=900 + n) for n in range(HOUSEHOLD)]
    data = _random_data(rng, ids, village_code)
    data["household"] = (data["household"] * HOUSEHOLD)[:HOUSEHOLD]
    for n, row in enumerate(data["household"]):
        row["member"] = {**row["member"], "id_number": ids[n], "relation": "本人" if n == 0 else "子女"}
    data["household_size"] = HOUSEHOLD
    data["bank"] = {**data["bank"], "account": "6228480123456789"}
    data["since"] = "2024-05-01"
    return flatten(form, data)


class _Inputs(HTMLParser):
    """The values a browser would send for each POST form of a page (no JavaScript)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self._values: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._first_option: str | None = None

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "form" and (attr.get("method") or "").lower() == "post":
            self._values = {}
            self.forms.append(self._values)
        values = self._values
        name = attr.get("name")
        if values is None or not name and tag != "option":
            return
        if tag == "input":
            kind = (attr.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attr:
                return
            values.setdefault(name, []).append(attr.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = attr.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in attr:
                values[self._select] = [value]
        elif tag == "textarea":
            self._textarea = name
            values[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._values is not None:
            self._values.setdefault(self._select, [self._first_option or ""])
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._values = None

    def handle_data(self, data):
        if self._textarea and self._values is not None:
            self._values[self._textarea][0] += data


def _form_values(html: str) -> dict[str, list[str]]:
    """The page's largest POST form (the filing form, not the header's log-out button)."""
    parser = _Inputs()
    parser.feed(html)
    return max(parser.forms, key=len, default={})


def _timed(client, method: str, url: str, repeats: int, data=None, *, stream=False, expect=200):
    """(median ms, queries of one load, status, bytes) of a page through the test client. The
    queries are counted by a wrapper on every connection, whatever DEBUG and the query log say."""
    from django.db import connections

    def load():
        response = client.post(url, data) if method == "POST" else client.get(url, data)
        body = b"".join(response.streaming_content) if stream else response.content
        return response, body

    response, body = load()  # warm
    if response.status_code != expect:
        log(f"WARNING: {method} {url} answered {response.status_code}, not {expect}")
    sql: list[str] = []

    def count(execute, statement, params, many, context):
        sql.append(statement[:300])
        return execute(statement, params, many, context)

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(count))
        response, body = load()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        load()
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "ms": _percentile(timings, 0.5),
        "queries": len(sql),
        "status": response.status_code,
        "bytes": len(body),
        "sql": sql,
    }


def _file(county, item, village, assistant, raw: dict[str, str] | None, png: bytes):
    """A draft filed as an assistant does it (villager, scans, consent, the form's answers)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from approvals import services
    from approvals.models import ApplicationFile

    draft = services.draft_start(actor=assistant, item=item, village=village)
    resident = county["residents"][village.pk][0]
    services.draft_update(actor=assistant, application=draft, resident=resident)
    uploads = [(ApplicationFile.Kind.MATERIAL, m) for m in county["materials"][item.pk]]
    for kind, material in [*uploads, (ApplicationFile.Kind.CONSENT, None)]:
        services.file_attach(
            actor=assistant,
            application=draft,
            kind=kind,
            material=material,
            uploaded=SimpleUploadedFile("scan.png", png, content_type="image/png"),
        )
    if raw is not None:
        parsed = services.item_data_save(actor=assistant, application=draft, raw=raw)
        if parsed.errors:
            raise BenchError(f"the bench's answers were refused: {dict(list(parsed.errors.items())[:3])}")
    return draft


def run_worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from approvals import selectors, services
    from approvals.models import Application
    from tests.item_forms import give_form

    rng = random.Random(args.seed)
    png = _png()
    started = time.monotonic()
    county = _build_county(rng)
    county["materials"] = {
        item.pk: [m for m in item.materials.all() if m.required and not m.may_be_missing]
        for item in county["items"].values()
    }
    world = county["world"]
    dibao, housing = county["items"]["dibao"], county["items"]["housing"]
    version = give_form(dibao, big_form())
    form = version.spec
    log(
        f"  county built, form of {sum(1 for _ in form.fields())} top-level fields published "
        f"({time.monotonic() - started:.1f} s)"
    )

    today = timezone.localdate()
    village, assistant = world.village_a1, world.assistant_a1
    raw = _full_input(form, rng, today, village.code)

    # Templates: one submitted application of each item in each village, through the services.
    templates = []
    for each_village, each_assistant in county["villages"]:
        for item in (dibao, housing):
            if item == housing and each_village == world.village_b1:
                continue  # housing is delegated to centre A only
            answers = _full_input(form, rng, today, each_village.code) if item == dibao else None
            draft = _file(county, item, each_village, each_assistant, answers, png)
            submitted, _ = services.application_submit(actor=each_assistant, application=draft)
            templates.append(submitted)
    detail_with = next(a for a in templates if a.item_id == dibao.pk and a.village_id == village.pk)
    detail_without = next(a for a in templates if a.item_id == housing.pk and a.village_id == village.pk)
    draft_with = _file(county, dibao, village, assistant, raw, png)
    draft_without = _file(county, housing, village, assistant, None, png)
    log(f"  {len(templates)} applications filed and submitted through the services")

    # The bulk: copies of the templates, each with its own answers.
    ids = [r.id_number for pool in county["residents"].values() for r in pool[:20]]
    codes = {v.pk: v.code for v, _a in county["villages"]}
    made = []
    fields = Application._meta.concrete_fields
    before = time.perf_counter()
    for n in range(args.count):
        template = templates[n % len(templates)]
        copy = Application(**{f.attname: getattr(template, f.attname) for f in fields})
        copy.pk = None
        copy.number = f"B{n:07d}"
        copy.client_token = uuid.uuid4()
        # Villagers other than the measured applications' (pool[0]), so that the detail page's
        # duplicate warning names a few applications, as in life, not thousands of copies.
        copy.resident_id = rng.choice(county["residents"][template.village_id][1:]).pk
        if template.item_id == dibao.pk:
            copy.form_version = version
            copy.item_data = _random_data(rng, ids, codes[template.village_id])
        made.append(copy)
    with transaction.atomic():
        Application.objects.bulk_create(made, batch_size=500)
    bulk_seconds = time.perf_counter() - before
    _analyze()
    log(f"  {args.count} applications written in bulk in {bulk_seconds:.1f} s")

    clerk = Client(HTTP_HOST="localhost")
    clerk.force_login(world.clerk_a)
    filer = Client(HTTP_HOST="localhost")
    filer.force_login(assistant)
    inbox, export = reverse("approvals:inbox"), reverse("approvals:export")
    item = {"item": dibao.pk, "show": COLUMNS}
    exact = {**item, "f.reason": "因病", "f.has_car": "no"}
    ranged = {**item, "f.monthly_income.max": "1500", "f.household_size.min": "3"}
    measured: dict[str, Any] = {"count": args.count, "bulk_seconds": bulk_seconds}
    repeats = args.repeats
    measured["inbox_plain"] = _timed(clerk, "GET", inbox, repeats)
    measured["inbox_item"] = _timed(clerk, "GET", inbox, repeats, {"item": dibao.pk})
    measured["inbox_exact"] = _timed(clerk, "GET", inbox, repeats, exact)
    measured["inbox_range"] = _timed(clerk, "GET", inbox, repeats, ranged)
    measured["export_filtered"] = _timed(clerk, "GET", export, repeats, {**exact, **ranged}, stream=True)
    measured["export_item_columns"] = _timed(clerk, "GET", export, max(1, repeats // 2), item, stream=True)
    measured["export_all"] = _timed(clerk, "GET", export, max(1, repeats // 2), stream=True)

    visible = selectors.inbox_for(world.clerk_a)
    measured["rows_open"] = visible.count()
    measured["rows_item"] = visible.filter(item_id=dibao.pk).count()
    filters = [
        selectors.DataFilter("reason", selectors.DataOp.EXACT, "因病"),
        selectors.DataFilter("has_car", selectors.DataOp.EXACT, False),
    ]
    chosen = selectors.filter_by_item_data(visible.filter(item_id=dibao.pk), form, filters)
    measured["rows_exact"] = chosen.count()
    rare = [
        selectors.DataFilter("reason", selectors.DataOp.EXACT, "因灾"),
        selectors.DataFilter("has_business", selectors.DataOp.EXACT, True),
    ]
    rarely = selectors.filter_by_item_data(visible.filter(item_id=dibao.pk), form, rare)
    measured["rows_exact_rare"] = rarely.count()
    for name, queryset in (("exact", chosen), ("exact_rare", rarely)):
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        measured[f"{name}_plan_uses_gin"] = int("app_item_data_gin" in plan)
        if args.show_sql:
            log(plan)
    measured["inbox_exact_rare"] = _timed(
        clerk, "GET", inbox, repeats, {**item, "f.reason": "因灾", "f.has_business": "yes"}
    )

    for label, draft in (("with_form", draft_with), ("without_form", draft_without)):
        url = reverse("approvals:edit", args=[draft.pk])
        measured[f"filing_get_{label}"] = _timed(filer, "GET", url, repeats)
        values = _form_values(filer.get(url).content.decode())
        posted = dict(values)
        filled = 0
        if label == "with_form":
            for path, text in raw.items():
                posted[f"d-{path}"] = [text]
                filled += 1
        measured[f"filing_post_{label}"] = _timed(filer, "POST", url, repeats, posted, expect=302)
        measured[f"filing_inputs_{label}"] = sum(1 for name in values if name.startswith("d-"))
        measured[f"filing_posted_{label}"] = filled
    stored = Application.objects.get(pk=draft_with.pk).item_data
    measured["filing_post_kept_members"] = len(stored.get("household", []))
    for label, application in (("with_form", detail_with), ("without_form", detail_without)):
        url = reverse("approvals:detail", args=[application.pk])
        measured[f"detail_{label}"] = _timed(clerk, "GET", url, repeats)
        page = clerk.get(url).content.decode()
        if application.number not in page:
            log(f"WARNING: the detail page of {application.number} does not name it")
        measured[f"detail_{label}_shows_answers"] = int("农村商业银行宝坻支行" in page)

    if args.show_sql:
        for key, value in measured.items():
            if isinstance(value, dict):
                for line in value["sql"]:
                    log(f"  [{key}] {line}")
    for value in measured.values():
        if isinstance(value, dict):
            value.pop("sql")
    print(json.dumps(measured))
    return 0


# --- the orchestrator ---------------------------------------------------------------------


def _add_figures(figures: Figures, result: dict[str, Any]) -> None:
    prefix = "item_forms"
    figures.add(f"{prefix}_applications", result["count"], "count")
    figures.add(f"{prefix}_bulk_create", result["bulk_seconds"], "s", decimals=2)
    for name in (
        "rows_open",
        "rows_item",
        "rows_exact",
        "rows_exact_rare",
        "exact_plan_uses_gin",
        "exact_rare_plan_uses_gin",
    ):
        if name in result:
            figures.add(f"{prefix}_{name}", result[name], "count")
    for name, value in result.items():
        if isinstance(value, dict):
            figures.add(f"{prefix}_{name}_p50", value["ms"], "ms", decimals=1)
            figures.add(f"{prefix}_{name}_queries", value["queries"], "count")
            figures.add(f"{prefix}_{name}_bytes", value["bytes"], "bytes")
            figures.add(f"{prefix}_{name}_status", value["status"], "code")
    for name in (
        "filing_inputs_with_form",
        "filing_posted_with_form",
        "filing_post_kept_members",
        "detail_with_form_shows_answers",
    ):
        figures.add(f"{prefix}_{name}", result.get(name), "count")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="applications written in bulk (10000)")
    parser.add_argument("--repeats", type=int, default=10, help="timed loads of each page (10)")
    parser.add_argument("--seed", type=int, default=20261207, help="random seed for the answers")
    parser.add_argument("--show-sql", action="store_true", help="print each page's queries to stderr")
    parser.add_argument("--verbose", action="store_true", help="show the output of every setup step")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count < 1 or args.repeats < 1:
        parser.error("--count and --repeats must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Build a throwaway PostgreSQL database, run the worker against it, print figures."""
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    signal.signal(signal.SIGTERM, _terminate)
    python = executable("python")
    tmp = Path(tempfile.mkdtemp(prefix="cunban-bench-item-forms-"))
    (tmp / "secret_key").write_text(secrets.token_urlsafe(50), encoding="ascii")
    figures = Figures()
    failed = False
    try:
        with ExitStack() as stack:
            env = project_env(tmp, PROJECT_SETTINGS)
            env["DATABASE_URL"] = stack.enter_context(throwaway_postgres("item_forms"))
            env["DATABASE_CONN_MAX_AGE"] = "0"
            manage = [python, str(REPO_ROOT / "manage.py")]
            run_step(
                "collectstatic",
                [*manage, "collectstatic", "--noinput"],
                env,
                timeout=600,
                verbose=args.verbose,
            )
            run_step(
                "postgres: migrate", [*manage, "migrate", "--noinput"], env, timeout=900, verbose=args.verbose
            )
            worker = [
                python,
                str(Path(__file__).resolve()),
                "--worker",
                f"--count={args.count}",
                f"--repeats={args.repeats}",
                f"--seed={args.seed}",
                *(["--show-sql"] if args.show_sql else []),
            ]
            stdout = _run_worker(worker, env, f"postgres: {args.count} applications with form data")
            try:
                result = json.loads(stdout.strip().splitlines()[-1])
            except (IndexError, ValueError) as exc:
                raise BenchError("the worker printed no figures") from exc
            _add_figures(figures, result)
    except BenchError as exc:
        log(f"FAILED: {exc}")
        failed = True
    finally:
        finish(figures, tmp, keep=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
