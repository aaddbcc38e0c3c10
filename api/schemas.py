"""The shapes of the API's answers (Pydantic, through django-ninja): the OpenAPI document is
generated from them. Times are ISO 8601 with the county's offset (+08:00); dates are calendar
days in the county."""

import datetime
from typing import Any

from ninja import Schema
from pydantic import AwareDatetime, Field, field_validator

MAX_PAGE = 100


class Error(Schema):
    code: str = Field(description="Stable, machine-readable: unauthorized, invalid_key, scope_missing, …")
    message: str = Field(description="The message in Chinese (简体中文)")
    message_en: str = Field(description="The same message in English")
    details: list[dict[str, Any]] | None = Field(None, description="For invalid input: what is wrong, where")


ERRORS: dict[int, type[Error]] = {status: Error for status in (400, 401, 403, 404, 422, 429)}
"""The error answers an endpoint with a key documents, each an `Error`: a bad request or cursor,
no or a bad key, a scope missing, nothing found (or outside the jurisdiction), invalid input, too
many calls. An endpoint's own `response` adds its 200 to them."""

PUBLIC_ERRORS: dict[int, type[Error]] = {status: Error for status in ERRORS if status != 403}
"""The same for the public catalogue, which asks no scope and so never answers 403."""


class ItemsQuery(Schema):
    cursor: str | None = Field(None, max_length=500, description="From the last page's next_cursor")
    limit: int = Field(50, ge=1, le=MAX_PAGE)


class ChangesQuery(Schema):
    since: AwareDatetime | None = Field(
        None, description="ISO 8601 with a time zone, e.g. 2026-12-01T00:00:00+08:00"
    )
    cursor: str | None = Field(None, max_length=500, description="From the last page's next_cursor")
    limit: int = Field(100, ge=1, le=MAX_PAGE)

    @field_validator("since")
    @classmethod
    def _in_utc(cls, value: datetime.datetime | None) -> datetime.datetime | None:
        """Any offset is read (-17:36 too), compared in UTC: the database takes no other."""
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValueError("since is out of range") from None


class Office(Schema):
    name: str
    short_name: str
    kind: str
    region_code: str
    phone: str


class ItemSummary(Schema):
    item_code: str
    title: str
    item_type: str
    department: str
    summary: str
    online: bool
    is_immediate: bool
    promised_limit_days: int
    legal_limit_days: int
    url: str = Field(description="This item in the API")
    guide_url: str = Field(description="The villager's guide page")


class ItemPage(Schema):
    items: list[ItemSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page")


class MaterialOut(Schema):
    name: str
    form: str
    copies: int
    required: bool
    may_be_missing: bool
    notes: str


class SpecialProcedureOut(Schema):
    name: str
    working_days: int
    legal_basis: str


class FormOut(Schema):
    version: int
    published_at: datetime.datetime
    definition: dict[str, Any] = Field(description="The application form (申请表) as the item publishes it")


class DelegationOut(Schema):
    mode: str
    document_number: str
    department: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    revoked_on: datetime.date | None
    in_force: bool
    centres: list[str]


class HandlingOut(Schema):
    township_code: str
    township: str
    office: Office
    delegation_mode: str | None


class ItemDetail(ItemSummary):
    for_individuals: bool
    for_organisations: bool
    conditions: list[str]
    steps: list[str]
    fee: str
    fee_basis: str
    visits: int
    village_proxy: bool
    offline_reason: str
    delivery: str
    certificate_name: str
    certificate_valid_months: int | None
    consult_phone: str
    complaint_phone: str
    legal_bases: list[str]
    life_events: list[str]
    materials: list[MaterialOut]
    special_procedures: list[SpecialProcedureOut]
    application_form: FormOut | None
    delegations: list[DelegationOut]
    handled_by: list[HandlingOut] = Field(
        description="Which office handles new applications, per township, today"
    )
    last_published_at: datetime.datetime | None


class Change(Schema):
    item_code: str
    title: str
    changed_at: datetime.datetime
    withdrawn: bool = Field(description="Unpublished or deleted: drop it from the copy")
    url: str | None


class ChangePage(Schema):
    changes: list[Change]
    next_cursor: str | None


class TimelineEntry(Schema):
    at: datetime.datetime
    act: str
    text: str = Field(description="What happened, as the villager's tracking page says it (Chinese)")
    text_en: str


class CertificateOut(Schema):
    serial: str
    name: str
    status: str = Field(description="in_force, handed_over or revoked")
    issued_on: datetime.date | None
    valid_until: datetime.date | None
    handed_over_on: datetime.date | None


class ApplicationStatus(Schema):
    number: str
    item_code: str
    item_title: str
    state: str
    state_label: str
    status_text: str = Field(description="Where it stands, in the villager's words (Chinese)")
    status_text_en: str
    handling_office: str
    submitted_at: datetime.datetime | None
    received_on: datetime.date | None
    accept_by: datetime.date | None
    accepted_on: datetime.date | None
    due_on: datetime.date | None
    on_hold: bool
    timeline: list[TimelineEntry]
    certificates: list[CertificateOut]


class TrackingProof(Schema):
    last4: str = Field(
        min_length=1, max_length=12, description="The last 4 digits of the villager's ID number or mobile"
    )


class RectificationOut(Schema):
    state: str = Field(
        description="open (待整改), answered (待回访: answered, the revisit to come), revisited (已回访) "
        "or cancelled (已撤销: the villager changed the rating, or it was set aside on appeal)"
    )
    opened_at: datetime.datetime
    answer_due_on: datetime.date = Field(description="The day the office must answer by (working days)")
    answered_at: datetime.datetime | None
    answered_on_time: bool | None
    revisited_at: datetime.datetime | None
    satisfied_on_revisit: bool | None = Field(
        description="Whether the villager was satisfied when called back"
    )


class AppealOut(Schema):
    state: str = Field(
        description="pending (待复核), upheld (维持) or set_aside (撤销差评: out of the figures)"
    )
    filed_at: datetime.datetime
    decided_at: datetime.datetime | None


class RatingOut(Schema):
    id: int = Field(description="The rating's id: GET /api/v1/ratings/{id}")
    application_number: str
    item_code: str
    item_title: str
    office: Office = Field(description="The office that handled the case, whose service was rated")
    level: int = Field(ge=1, le=5, description="好差评 level: 5 非常满意 … 1 非常不满意")
    level_label: str = Field(description="The level's name (Chinese)")
    level_label_en: str
    bad: bool = Field(description="A bad rating (不满意, 非常不满意): it opens a rectification")
    channel: str = Field(
        description="tracking (the tracking page), qr (the QR code on a paper), assistant (recorded by "
        "the village assistant for the villager) or paper (a paper form the assistant entered)"
    )
    rated_at: datetime.datetime = Field(
        description="When the level was given (or last changed by the villager)"
    )
    first_rated_at: datetime.datetime
    changed_at: datetime.datetime = Field(
        description="When the rating or what followed it (a rectification's step, an appeal) last changed"
    )
    rectifications: list[RectificationOut] = Field(description="Oldest first; at most one is open")
    appeal: AppealOut | None
    url: str = Field(description="This rating in the API")


class RatingPage(Schema):
    ratings: list[RatingOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page")
