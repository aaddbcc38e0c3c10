"""Build a province-sized Cunban database fast: a few real rows through the ORM, the rest in SQL.

Why SQL: filing a million applications through the services would take days on a small machine
(bench/approvals.py drives about 30 a second). What the pages read is the same either way, so
the benchmark makes the rows that people log in as, and the catalogue's pages, the way the
project makes them (the test suite's `build_world`, `people.services.membership_create`,
Wagtail pages with revisions), and writes everything else with `INSERT ... SELECT FROM
generate_series`, following the models' rules:

* regions: 100 counties (the world's 宝坻区 and 99 more), 10 townships each, 20 villages per
  new township, every code valid under `portal.places.codes` (a child's code repeats its
  parent's prefix);
* offices: five county departments per new county, one centre per township and one station per
  village (`office_one_centre_or_station_per_region` holds);
* staff: two clerks and a supervisor at every new centre, an officer in each new department, and
  village assistants for the rest, up to `staff` users; each with a membership, its
  `MembershipEvent`, and the guardian object permissions `jurisdiction_sync` would write for it,
  computed from the same `ROLE_RULES` (checked against `granted_by_memberships` afterwards);
* residents: a pool with unique digests (their encrypted ID number is a copy of a real one's
  ciphertext, so it decrypts);
* applications spread evenly over the townships, in a realistic mix of states and dates (open
  ones from the last 60 days, decided ones over five years), routed the way the three items
  route (two delegated to the centre, one kept by the county's department), numbered like
  `services._next_number` numbers them;
* events: each application's history as the state machine would have written it, one row per
  step (about 10 per application on average);
* ledger items spread over the villages, each with two events.

The big tables are written with their secondary indexes dropped and rebuilt afterwards (the
same definitions, read back from `pg_indexes`), and with foreign-key triggers off for the
session (`session_replication_role = replica`): the rows are generated consistent, and this is
what makes 10 million events take minutes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TOWNSHIPS_PER_COUNTY = 10
VILLAGES_PER_TOWNSHIP = 20
DEPARTMENTS = ["民政局", "人力资源和社会保障局", "医疗保障局", "农业农村委员会", "政务服务办公室"]

# (state, share of applications). Open ones are recent; decided ones spread over five years.
STATE_MIX = [
    ("draft", 0.03),
    ("submitted", 0.04),
    ("returned", 0.02),
    ("accepted", 0.06),
    ("reviewed", 0.02),
    ("forwarded", 0.02),
    ("approved", 0.60),
    ("rejected", 0.12),
    ("withdrawn", 0.08),
    ("terminated", 0.01),
]
OPEN = ("submitted", "returned", "accepted", "reviewed", "forwarded")
ACCEPTED_STATES = ("accepted", "reviewed", "forwarded", "approved", "rejected", "terminated")

# Each state's histories, as the transition table would have written them: (act, to_state, who).
# Several variants per state give realistic lengths (the average is about 10 events).
_HEAD = [("create", "draft", "filer"), ("submit", "submitted", "filer"), ("assign", "submitted", "handler")]
_RETURNED = [("return", "returned", "handler"), ("resubmit", "submitted", "filer")]
_ACCEPT = [("accept", "accepted", "handler"), ("data_assessed", "accepted", "handler")]
_PAUSED = [("pause", "accepted", "handler"), ("resume", "accepted", "handler")]
_REVIEW = [("review", "reviewed", "handler")]
_FINISH = [("approve", "approved", "supervisor"), ("issue_certificate", "approved", "handler")]
_HANDED = [("hand_over", "approved", "handler")]
PATHS: dict[str, list[list[tuple[str, str, str]]]] = {
    "draft": [[("create", "draft", "filer")]],
    "submitted": [_HEAD[:2], _HEAD],
    "returned": [[*_HEAD, _RETURNED[0]]],
    "accepted": [[*_HEAD, *_ACCEPT], [*_HEAD, *_RETURNED, *_ACCEPT]],
    "reviewed": [[*_HEAD, *_ACCEPT, *_REVIEW]],
    "forwarded": [[*_HEAD, *_ACCEPT, *_REVIEW, ("forward", "forwarded", "supervisor")]],
    "approved": [
        [*_HEAD, *_ACCEPT, *_REVIEW, *_FINISH, *_HANDED],
        [*_HEAD, *_RETURNED, ("assign", "submitted", "handler"), *_ACCEPT, *_REVIEW, *_FINISH, *_HANDED],
        [
            *_HEAD,
            *_RETURNED,
            ("assign", "submitted", "handler"),
            *_ACCEPT,
            *_PAUSED,
            ("deadline_moved", "accepted", "handler"),
            *_REVIEW,
            ("send_back", "accepted", "supervisor"),
            *_REVIEW,
            *_FINISH,
            *_HANDED,
        ],
        [
            *_HEAD,
            *_RETURNED,
            ("reassign", "submitted", "supervisor"),
            *_RETURNED,
            ("assign", "submitted", "handler"),
            ("accept_with_promise", "accepted", "handler"),
            ("supply", "accepted", "filer"),
            ("data_assessed", "accepted", "handler"),
            *_PAUSED,
            ("deadline_moved", "accepted", "handler"),
            *_REVIEW,
            *_FINISH,
            *_HANDED,
        ],
    ],
    "rejected": [
        [*_HEAD, *_ACCEPT, *_REVIEW, ("reject", "rejected", "supervisor")],
        [
            *_HEAD,
            *_RETURNED,
            ("assign", "submitted", "handler"),
            *_ACCEPT,
            *_REVIEW,
            ("reject", "rejected", "supervisor"),
        ],
    ],
    "withdrawn": [
        [*_HEAD[:2], ("withdraw", "withdrawn", "filer")],
        [*_HEAD, *_RETURNED[:1], ("withdraw", "withdrawn", "filer")],
    ],
    "terminated": [[*_HEAD, *_ACCEPT, ("terminate", "terminated", "supervisor")]],
}


def log(message: str) -> None:
    import sys

    print(f"bench: {message}", file=sys.stderr, flush=True)


@contextmanager
def step(name: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.monotonic()
    yield
    timings[name] = time.monotonic() - started
    log(f"  {name}: {timings[name]:.1f} s")


def _table(model) -> str:
    return model._meta.db_table


@contextmanager
def bulk_load(cursor, *tables: str) -> Iterator[None]:
    """Drop the tables' secondary indexes (not those behind constraints) and turn foreign-key
    triggers off while the rows go in; rebuild the same indexes afterwards."""
    saved: list[str] = []
    for table in tables:
        cursor.execute(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s
               AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)""",
            [table, table],
        )
        for name, definition in cursor.fetchall():
            saved.append(definition)
            cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("SET session_replication_role = replica")
    yield  # on an error the transaction rolls back, indexes and all
    cursor.execute("SET session_replication_role = DEFAULT")
    cursor.execute("SET maintenance_work_mem = '256MB'")
    for definition in saved:
        cursor.execute(definition)


def build(*, applications: int, counties: int, staff: int, ledger_items: int, seed: int) -> dict[str, Any]:
    """Build everything; return the figures of the build (rows, seconds per step)."""
    from django.db import connection, transaction

    from approvals.models import Application, ApplicationEvent
    from bench.approvals import _build_county
    from ledger.models import LedgerEvent, LedgerItem
    from portal.offices.models import Office
    from portal.people.models import Membership, MembershipEvent, Resident, User
    from portal.places.models import Region

    timings: dict[str, float] = {}
    rng = random.Random(seed)
    with step("real county, people and items through the ORM and services", timings):
        county = _build_county(rng)
    world, items = county["world"], county["items"]
    region, office, user = _table(Region), _table(Office), _table(User)
    membership, application, event = _table(Membership), _table(Application), _table(ApplicationEvent)

    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute(f"SELECT max(id) FROM {region}")
        (regions_before,) = cursor.fetchone()
        cursor.execute(f"SELECT max(id) FROM {office}")
        (offices_before,) = cursor.fetchone()
        with step("regions and offices", timings):
            _places(cursor, region, office, world, counties, regions_before, offices_before)
        with step("township and village maps", timings):
            _maps(cursor, region, office, world, county)
        with step("staff, memberships and object permissions", timings):
            _staff(cursor, user, membership, _table(MembershipEvent), offices_before, staff)
            # The world's county keeps its own officer for the townships added to it.
            cursor.execute(
                "UPDATE bench_township SET officer_id = %s WHERE officer_id IS NULL", [world.officer_d1.pk]
            )
        with step("residents", timings):
            _residents(cursor, _table(Resident), max(1000, applications // 5))

    with connection.cursor() as cursor:
        with step("applications", timings), transaction.atomic(), bulk_load(cursor, application):
            _applications(cursor, application, applications, items, county)
        with step("events", timings), transaction.atomic(), bulk_load(cursor, event):
            _events(cursor, application, event)
        if ledger_items:
            ledger_tables = (_table(LedgerItem), _table(LedgerEvent))
            with (
                step("ledger items and events", timings),
                transaction.atomic(),
                bulk_load(cursor, *ledger_tables),
            ):
                _ledger(cursor, *ledger_tables, ledger_items)
        with step("vacuum analyze", timings):
            cursor.execute("VACUUM ANALYZE")
    _check_permissions()
    return {"timings": timings, "rows": row_counts()}


def row_counts() -> dict[str, int]:
    """Exact counts of the tables the figures speak of (a few seconds at 10 million rows)."""
    from django.db import connection

    from approvals.models import Application, ApplicationEvent
    from ledger.models import LedgerItem
    from portal.offices.models import Office
    from portal.people.models import User
    from portal.places.models import Region

    counts = {}
    with connection.cursor() as cursor:
        for name, model in [
            ("applications", Application),
            ("events", ApplicationEvent),
            ("ledger_items", LedgerItem),
            ("staff", User),
            ("offices", Office),
            ("regions", Region),
        ]:
            cursor.execute(f"SELECT count(*) FROM {_table(model)}")
            counts[name] = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {_table(Region)} WHERE level = 'county'")
        counts["counties"] = cursor.fetchone()[0]
    return counts


def _places(cursor, region, office, world, counties, regions_before, offices_before) -> None:
    # 99 more counties: codes 200101, 200201 … (the first six digits never end in 00).
    cursor.execute(
        f"""INSERT INTO {region} (code, name, level, parent_id)
            SELECT (200001 + k * 100)::text || '000000', '模拟' || k || '县', 'county', NULL
            FROM generate_series(1, %s) k""",
        [counties - 1],
    )
    # Ten townships in each new county; eight more in the world's county (beside its two).
    cursor.execute(
        f"""INSERT INTO {region} (code, name, level, parent_id)
            SELECT left(c.code, 6) || lpad(j::text, 3, '0') || '000', c.name || j || '镇', 'township', c.id
            FROM {region} c CROSS JOIN generate_series(1, %(t)s) j
            WHERE c.level = 'county' AND (c.id > %(before)s OR j <= %(t)s - 2)""",
        {"t": TOWNSHIPS_PER_COUNTY, "before": regions_before},
    )
    cursor.execute(
        f"""INSERT INTO {region} (code, name, level, parent_id)
            SELECT left(t.code, 9) || lpad(v::text, 3, '0'), t.name || v || '村', 'village', t.id
            FROM {region} t CROSS JOIN generate_series(1, %(v)s) v
            WHERE t.level = 'township' AND t.id > %(before)s""",
        {"v": VILLAGES_PER_TOWNSHIP, "before": regions_before},
    )
    cursor.execute(
        f"""INSERT INTO {office} (name, short_name, kind, region_id, phone, address, opening_hours, is_active)
            SELECT c.name || d.n, left(d.n, 30), 'department', c.id, '', '', '', true
            FROM {region} c CROSS JOIN unnest(%(d)s::text[]) d(n)
            WHERE c.level = 'county' AND c.id > %(before)s""",
        {"d": DEPARTMENTS, "before": regions_before},
    )
    cursor.execute(
        f"""INSERT INTO {office} (name, short_name, kind, region_id, phone, address, opening_hours, is_active)
            SELECT r.name || CASE r.level WHEN 'township' THEN '便民服务中心' ELSE '便民服务站' END,
                   left(r.name, 30), CASE r.level WHEN 'township' THEN 'centre' ELSE 'station' END,
                   r.id, '0' || (20000000 + r.id)::text, '', '', true
            FROM {region} r WHERE r.level IN ('township', 'village') AND r.id > %s""",
        [regions_before],
    )


def _maps(cursor, region, office, world, county) -> None:
    """Two small working tables: every township (0-based index, centre, the county's welfare
    department) and every village (its township's index, its index there, its station)."""
    cursor.execute("DROP TABLE IF EXISTS bench_township, bench_village")
    cursor.execute(
        f"""CREATE TABLE bench_township AS
            SELECT (row_number() OVER (ORDER BY t.id) - 1)::int AS idx, t.id AS township_id,
                   left(t.code, 9) AS code9, o.id AS centre_id, t.parent_id AS county_id,
                   (SELECT d.id FROM {office} d WHERE d.region_id = t.parent_id AND d.kind = 'department'
                    ORDER BY d.id LIMIT 1) AS dept_id
            FROM {region} t JOIN {office} o ON o.region_id = t.id AND o.kind = 'centre'
            WHERE t.level = 'township'"""
    )
    cursor.execute(
        f"""CREATE TABLE bench_village AS
            SELECT (row_number() OVER (ORDER BY v.id) - 1)::int AS gidx, bt.idx AS tidx,
                   (row_number() OVER (PARTITION BY bt.idx ORDER BY v.id) - 1)::int AS vidx,
                   v.id AS village_id, o.id AS station_id
            FROM {region} v JOIN bench_township bt ON bt.township_id = v.parent_id
            JOIN {office} o ON o.region_id = v.id AND o.kind = 'station'
            WHERE v.level = 'village'"""
    )
    cursor.execute(
        """ALTER TABLE bench_township ADD COLUMN nvillages int, ADD COLUMN clerk_ids bigint[],
           ADD COLUMN supervisor_id bigint, ADD COLUMN officer_id bigint, ADD COLUMN filer_id bigint"""
    )
    cursor.execute(
        """UPDATE bench_township bt SET nvillages = (SELECT count(*) FROM bench_village bv WHERE bv.tidx = bt.idx)"""
    )
    cursor.execute("CREATE UNIQUE INDEX ON bench_township (idx)")
    cursor.execute("CREATE UNIQUE INDEX ON bench_village (tidx, vidx)")
    # The world's own people work its two townships.
    clerks = county["clerks"]
    for centre, filer in ((world.centre_a, world.assistant_a1), (world.centre_b, world.assistant_b1)):
        cursor.execute(
            """UPDATE bench_township SET clerk_ids = %s, supervisor_id = %s, officer_id = %s, filer_id = %s,
               dept_id = %s WHERE centre_id = %s""",
            [
                [clerk.pk for clerk in clerks[centre.pk]],
                world.supervisor_a.pk,
                world.officer_d1.pk,
                filer.pk,
                world.d1.pk,
                centre.pk,
            ],
        )


def _staff(cursor, user, membership, membership_event, offices_before, staff) -> None:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from portal.offices.models import Office
    from portal.people.roles import ROLE_RULES, Role, Scope

    cursor.execute(f"SELECT count(*) FROM {user}")
    (existing,) = cursor.fetchone()
    cursor.execute("DROP TABLE IF EXISTS bench_staff")
    cursor.execute(
        "CREATE TABLE bench_staff (n serial PRIMARY KEY, office_id bigint, role text, user_id bigint)"
    )
    # Two clerks and a supervisor per new centre, an officer per new department …
    cursor.execute(
        f"""INSERT INTO bench_staff (office_id, role)
            SELECT o.id, r.role FROM {_table(Office)} o
            CROSS JOIN unnest(ARRAY[%(clerk)s, %(clerk)s, %(supervisor)s]) r(role)
            WHERE o.kind = 'centre' AND o.id > %(before)s ORDER BY o.id""",
        {
            "clerk": str(Role.TOWNSHIP_CLERK),
            "supervisor": str(Role.CENTRE_SUPERVISOR),
            "before": offices_before,
        },
    )
    cursor.execute(
        f"""INSERT INTO bench_staff (office_id, role)
            SELECT o.id, %s FROM {_table(Office)} o WHERE o.kind = 'department' AND o.id > %s ORDER BY o.id""",
        [str(Role.COUNTY_OFFICER), offices_before],
    )
    cursor.execute("SELECT count(*) FROM bench_staff")
    (planned,) = cursor.fetchone()
    # … and village assistants for the rest: each township's first station, then its second …
    cursor.execute(
        """INSERT INTO bench_staff (office_id, role)
           SELECT bv.station_id, %s FROM bench_village bv WHERE bv.station_id > %s
           ORDER BY bv.vidx, bv.tidx LIMIT greatest(0, %s)""",
        [str(Role.VILLAGE_ASSISTANT), offices_before, staff - existing - planned],
    )
    cursor.execute(
        f"""INSERT INTO {user} (password, last_login, is_superuser, username, first_name, last_name, email,
                                is_staff, is_active, date_joined, name, mobile, password_changed_at)
            SELECT '!', NULL, false, 'bench' || n, '', '', '', false, true, now(), '职员' || n,
                   '18' || lpad(n::text, 9, '0'), now()
            FROM bench_staff"""
    )
    cursor.execute(f"UPDATE bench_staff s SET user_id = u.id FROM {user} u WHERE u.username = 'bench' || s.n")
    cursor.execute(
        f"""INSERT INTO {membership} (user_id, office_id, role, started_at, ended_at, county_granted)
            SELECT user_id, office_id, role, now(), NULL, true FROM bench_staff"""
    )
    cursor.execute(
        f"""INSERT INTO {membership_event} (membership_id, kind, actor_id, at, comment)
            SELECT m.id, 'started', NULL, now(), '' FROM {membership} m
            JOIN bench_staff s ON s.user_id = m.user_id"""
    )
    # The object permissions `jurisdiction_sync` writes: the role's actions on its own office.
    grants = [
        (str(role), str(action))
        for role, rule in ROLE_RULES.items()
        if rule.scope is Scope.OWN
        for action in sorted(rule.actions)
    ]
    content_type = ContentType.objects.get_for_model(Office)
    permission = _table(Permission)
    values = ", ".join(["(%s, %s)"] * len(grants))
    cursor.execute(
        f"""INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id)
            SELECT s.office_id::text, %s, p.id, s.user_id FROM bench_staff s
            JOIN (VALUES {values}) g(role, codename) ON g.role = s.role
            JOIN {permission} p ON p.codename = g.codename AND p.content_type_id = %s""",
        [content_type.pk, *[value for grant in grants for value in grant], content_type.pk],
    )
    # Who works where, for the applications: the township's clerks, supervisor and filer.
    cursor.execute(
        """UPDATE bench_township bt SET
             clerk_ids = (SELECT array_agg(s.user_id ORDER BY s.n) FROM bench_staff s
                          WHERE s.office_id = bt.centre_id AND s.role = %s),
             supervisor_id = (SELECT s.user_id FROM bench_staff s WHERE s.office_id = bt.centre_id AND s.role = %s),
             officer_id = (SELECT s.user_id FROM bench_staff s WHERE s.office_id = bt.dept_id)
           WHERE bt.clerk_ids IS NULL""",
        [str(Role.TOWNSHIP_CLERK), str(Role.CENTRE_SUPERVISOR)],
    )
    cursor.execute(
        """UPDATE bench_township bt SET filer_id = coalesce(
             (SELECT s.user_id FROM bench_staff s JOIN bench_village bv ON bv.station_id = s.office_id
              WHERE bv.tidx = bt.idx ORDER BY s.n LIMIT 1), bt.clerk_ids[1])
           WHERE bt.filer_id IS NULL"""
    )


def _check_permissions() -> None:
    """The SQL grants must equal what `granted_by_memberships` says for the same people."""
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import UserObjectPermission

    from portal.offices.models import Office
    from portal.people.jurisdiction import granted_by_memberships
    from portal.people.models import User

    content_type = ContentType.objects.get_for_model(Office)
    for bench_user in User.objects.filter(username__startswith="bench").order_by("pk")[::997][:8]:
        stored = {
            (codename, int(pk))
            for codename, pk in UserObjectPermission.objects.filter(
                user=bench_user, content_type=content_type
            ).values_list("permission__codename", "object_pk")
        }
        if stored != granted_by_memberships(bench_user):
            raise RuntimeError(f"object permissions of {bench_user.username} differ from its memberships")


def _residents(cursor, resident, count: int) -> None:
    """A pool of villagers, `count // villages` per village; ciphertext copied from a real one."""
    cursor.execute(f"SELECT id_number FROM {resident} ORDER BY id LIMIT 1")
    (ciphertext,) = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM bench_village")
    (villages,) = cursor.fetchone()
    per_village = max(1, count // villages)
    cursor.execute(
        f"""INSERT INTO {resident} (name, id_number, id_number_digest, id_number_masked, mobile, village_id,
                                    created_at, created_by_id)
            SELECT (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴'])[1 + k %% 10]
                   || (ARRAY['秀英','桂兰','建国','德胜','玉梅','志强'])[1 + k %% 6],
                   %(ciphertext)s, md5('bench-resident-' || bv.gidx || '-' || k) || md5('x' || bv.gidx || '-' || k),
                   '1201**********' || lpad((k %% 10000)::text, 4, '0'),
                   '15' || lpad((bv.gidx * %(per)s + k)::text, 9, '0'), bv.village_id, now(), NULL
            FROM bench_village bv CROSS JOIN generate_series(0, %(per)s - 1) k""",
        {"ciphertext": ciphertext, "per": per_village},
    )
    cursor.execute("DROP TABLE IF EXISTS bench_resident")
    cursor.execute(
        f"""CREATE TABLE bench_resident AS
            SELECT bv.gidx, (row_number() OVER (PARTITION BY r.village_id ORDER BY r.id) - 1)::int AS k,
                   r.id AS resident_id, r.name, r.mobile
            FROM {resident} r JOIN bench_village bv ON bv.village_id = r.village_id"""
    )
    cursor.execute("CREATE INDEX ON bench_resident (gidx, k)")
    cursor.execute("ANALYZE bench_resident")
    cursor.execute("DROP TABLE IF EXISTS bench_meta_residents")
    cursor.execute("CREATE TABLE bench_meta_residents AS SELECT %s::int AS per_village", [per_village])


def _applications(cursor, application, count: int, items: dict, county: dict) -> None:
    from django.utils import timezone

    item_list = [items["dibao"], items["housing"], items["relief"]]
    delegations = [item.delegations.order_by("pk").first() for item in item_list]
    cases = " ".join(
        f"WHEN rs < {sum(share for _, share in STATE_MIX[: index + 1]):.4f} THEN '{state}'"
        for index, (state, _share) in enumerate(STATE_MIX)
    )
    cursor.execute("SELECT per_village FROM bench_meta_residents")
    (per_village,) = cursor.fetchone()
    cursor.execute("SELECT count(*) FROM bench_township")
    (townships,) = cursor.fetchone()
    params = {
        "n": count,
        "nt": townships,
        "per": per_village,
        "now": timezone.now(),
        "item_ids": [item.pk for item in item_list],
        "titles": [item.title for item in item_list],
        "delegations": [d.pk if d else None for d in delegations],
        "modes": [d.mode if d else "" for d in delegations],
        "open": list(OPEN),
        "accepted": list(ACCEPTED_STATES),
    }
    cursor.execute(
        f"""
INSERT INTO {application} (
    number, client_token, item_id, item_title, station_id, village_id, resident_id, applicant_name,
    applicant_mobile, request_note, filed_by_id, form_version_id, item_data, item_secrets,
    handling_office_id, delegation_id, mode, current_office_id, state, version, assignee_id,
    created_at, state_changed_at, submitted_at, received_on, accept_by, accepted_on, limit_days,
    paused_days, paused_since, pause_name, due_on, alert, decided_at, decision_reason,
    decision_basis, tracking_locked_at, origin, handed_in_at)
WITH base AS (
    SELECT i, i %% %(nt)s AS t, (i / %(nt)s) AS r, random() AS rs, random() AS ri, random() AS rd
    FROM generate_series(1, %(n)s) i
), placed AS (
    SELECT b.i, b.rd, bt.code9, bt.centre_id, bt.dept_id, bt.clerk_ids, bt.supervisor_id, bt.officer_id,
           bt.filer_id, bv.village_id, bv.station_id, bv.gidx, b.r,
           CASE {cases} ELSE 'approved' END AS state,
           CASE WHEN b.ri < 0.6 THEN 1 WHEN b.ri < 0.8 THEN 2 ELSE 3 END AS item_no
    FROM base b JOIN bench_township bt ON bt.idx = b.t
    JOIN bench_village bv ON bv.tidx = b.t AND bv.vidx = b.r %% bt.nvillages
), dated AS (
    SELECT p.*, %(now)s::timestamptz - (CASE WHEN p.state = ANY(%(open)s) OR p.state = 'draft'
               THEN 0.2 + p.rd * 60 ELSE 61 + p.rd * 1765 END) * interval '1 day' AS created,
           CASE WHEN p.item_no = 3 THEN p.dept_id ELSE p.centre_id END AS handling,
           CASE WHEN p.item_no = 3 THEN p.officer_id ELSE p.clerk_ids[1 + p.i %% array_length(p.clerk_ids, 1)] END AS handler
    FROM placed p
), timed AS (
    SELECT d.*, d.created + interval '2 hours' AS submitted,
           CASE WHEN d.state IN ('approved', 'rejected', 'withdrawn', 'terminated')
                THEN d.created + (5 + d.rd * 40) * interval '1 day' END AS decided
    FROM dated d
)
SELECT
    CASE WHEN state = 'draft' THEN NULL ELSE
        code9 || '-' || to_char(submitted AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-'
        || lpad(i::text, greatest(3, length(i::text)), '0') END,
    gen_random_uuid(), (%(item_ids)s::int[])[item_no], (%(titles)s::text[])[item_no], station_id, village_id,
    br.resident_id, br.name, br.mobile, '', filer_id, NULL, '{{}}'::jsonb, '',
    CASE WHEN state = 'draft' THEN NULL ELSE handling END,
    CASE WHEN state = 'draft' THEN NULL ELSE (%(delegations)s::bigint[])[item_no] END,
    CASE WHEN state = 'draft' THEN '' ELSE (%(modes)s::text[])[item_no] END,
    CASE WHEN state = 'draft' THEN NULL WHEN state = 'forwarded' THEN dept_id ELSE handling END,
    state, 10,
    CASE WHEN state = ANY(%(accepted)s) THEN handler END,
    created, coalesce(decided, CASE WHEN state = 'draft' THEN created ELSE submitted + interval '1 day' END),
    CASE WHEN state <> 'draft' THEN submitted END,
    CASE WHEN state <> 'draft' THEN (submitted AT TIME ZONE 'Asia/Shanghai')::date END,
    CASE WHEN state <> 'draft' THEN (submitted AT TIME ZONE 'Asia/Shanghai')::date + 7 END,
    CASE WHEN state = ANY(%(accepted)s) THEN (submitted AT TIME ZONE 'Asia/Shanghai')::date + 1 END,
    CASE WHEN state <> 'draft' THEN 20 END,
    0, NULL, '',
    CASE WHEN state = ANY(%(accepted)s) THEN (submitted AT TIME ZONE 'Asia/Shanghai')::date + 29 END,
    CASE WHEN state = ANY(%(open)s) AND state = ANY(%(accepted)s)
              AND (submitted AT TIME ZONE 'Asia/Shanghai')::date + 29 < (%(now)s::timestamptz AT TIME ZONE 'Asia/Shanghai')::date
         THEN 'overdue' ELSE '' END,
    decided,
    CASE WHEN state = 'rejected' THEN '家庭人均收入高于当地最低生活保障标准。' ELSE '' END,
    CASE WHEN state IN ('approved', 'rejected') THEN '《社会救助暂行办法》第九条' ELSE '' END,
    NULL, 'assistant', NULL
FROM timed
JOIN bench_resident br ON br.gidx = timed.gidx AND br.k = timed.r %% %(per)s
ORDER BY created
""",
        params,
    )


def _events(cursor, application, event) -> None:
    """Each application's history from `PATHS`: one row per step, spread over its life."""
    cursor.execute("DROP TABLE IF EXISTS bench_path")
    cursor.execute(
        """CREATE TABLE bench_path (state text, variant int, variants int, step int, steps int,
                                    act text, from_state text, to_state text, who text)"""
    )
    rows = []
    for state, variants in PATHS.items():
        for variant, path in enumerate(variants):
            previous = ""
            for number, (act, to_state, who) in enumerate(path):
                rows.append((state, variant, len(variants), number, len(path), act, previous, to_state, who))
                previous = to_state
    cursor.executemany("INSERT INTO bench_path VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    cursor.execute(
        f"""
INSERT INTO {event} (application_id, act, from_state, to_state, actor_id, actor_role, actor_office_id,
                     comment, data, at)
SELECT a.id, p.act, p.from_state, p.to_state,
       CASE p.who WHEN 'filer' THEN a.filed_by_id ELSE coalesce(a.assignee_id, a.filed_by_id) END,
       p.who,
       CASE p.who WHEN 'filer' THEN a.station_id ELSE coalesce(a.handling_office_id, a.station_id) END,
       '', '{{}}'::jsonb,
       a.created_at + (a.state_changed_at - a.created_at) * (p.step::float / greatest(1, p.steps - 1))
FROM {application} a
JOIN bench_path p ON p.state = a.state
     AND p.variant = (a.id * 7 + (CASE WHEN a.state = 'approved' THEN a.id / 3 ELSE 0 END)) % p.variants
ORDER BY 10
"""
    )
    # `version` stays at the 10 it was written with: rewriting a million rows to match each
    # history's length would double the table for a figure no page reads.


def _ledger(cursor, item, ledger_event, count: int) -> None:
    """Ledger items spread over the villages, in a real ledger's mix, each with two events."""
    from django.utils import timezone

    cursor.execute("SELECT count(*) FROM bench_village")
    (villages,) = cursor.fetchone()
    cursor.execute(
        f"""
INSERT INTO {item} (number, client_token, kind, village_id, office_id, station_id, villager_name,
    villager_mobile, need, source, registered_by_id, registered_at, state, state_changed_at, version,
    promise, promised_on, promised_at, helper, assignee_id, assignee_office_id, helper_name, done_at,
    closed_at, closed_via, cancelled_at, cancel_reason, reopened_count)
WITH base AS (
    SELECT i, random() AS rs, random() AS rd FROM generate_series(1, %(n)s) i
), placed AS (
    SELECT b.*, bv.village_id, bv.station_id, bt.centre_id, bt.code9,
           %(now)s::timestamptz - (b.rd * 1800) * interval '1 day' AS registered,
           CASE WHEN b.rs < 0.55 THEN 'closed' WHEN b.rs < 0.75 THEN 'in_progress' WHEN b.rs < 0.85 THEN 'done'
                WHEN b.rs < 0.95 THEN 'registered' ELSE 'cancelled' END AS state
    FROM base b JOIN bench_village bv ON bv.gidx = b.i %% %(villages)s
    JOIN bench_township bt ON bt.idx = bv.tidx
)
SELECT 'W' || code9 || '-' || to_char(registered, 'YYYY') || '-' || lpad(i::text, greatest(4, length(i::text)), '0'),
       gen_random_uuid(), CASE WHEN i %% 3 = 0 THEN 'need' ELSE 'wish' END, village_id, centre_id, station_id,
       '王秀英', '13800000000', '修缮村口道路照明', 'assistant', NULL, registered, state,
       registered + interval '3 days', 2, CASE WHEN state IN ('registered', 'cancelled') THEN '' ELSE '安排维修' END,
       CASE WHEN state IN ('registered', 'cancelled') THEN NULL ELSE (registered + interval '20 days')::date END,
       CASE WHEN state IN ('registered', 'cancelled') THEN NULL ELSE registered + interval '1 day' END,
       CASE WHEN state IN ('registered', 'cancelled') THEN '' ELSE 'organisation' END, NULL, NULL,
       CASE WHEN state IN ('registered', 'cancelled') THEN '' ELSE '村供电所' END,
       CASE WHEN state IN ('done', 'closed') THEN registered + interval '10 days' END,
       CASE WHEN state = 'closed' THEN registered + interval '12 days' END,
       CASE WHEN state = 'closed' THEN 'assistant' ELSE '' END,
       CASE WHEN state = 'cancelled' THEN registered + interval '2 days' END,
       CASE WHEN state = 'cancelled' THEN '重复登记' ELSE '' END, 0
FROM placed ORDER BY i
""",
        {"n": count, "villages": villages, "now": timezone.now()},
    )
    cursor.execute(
        f"""INSERT INTO {ledger_event} (item_id, act, from_state, to_state, actor_id, actor_role,
                                        actor_office_id, comment, data, at)
            SELECT l.id, 'register', '', 'registered', NULL::bigint, 'assistant', l.station_id, '', '{{}}'::jsonb,
                   l.registered_at FROM {item} l
            UNION ALL
            SELECT l.id, 'assign', 'registered', l.state, NULL, 'supervisor', l.office_id, '', '{{}}'::jsonb,
                   l.state_changed_at FROM {item} l WHERE l.state <> 'registered'"""
    )
