"""What the assistant's panel and the villager's page show about links to the villager's phone."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from approvals.models import Application, ApplicationEvent, ApplicationFile
from approvals.states import Act
from portal.throttle import limits
from portal.throttle.limits import Scope
from portal.throttle.models import Attempt

from .models import Consent, RemoteLink


@dataclass
class LinkRow:
    link: RemoteLink
    status: str  # "live", "opened", "finished", "expired", "revoked", "locked"
    materials: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


@dataclass
class Arrivals:
    """What came back from the villager's phone, for the assistant to check."""

    files: list[ApplicationFile]
    answers: list[ApplicationEvent]
    consents: list[Consent]

    @property
    def empty(self) -> bool:
        return not (self.files or self.answers or self.consents)


def _status(link: RemoteLink, now, locked_keys: set[str]) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if link.finished_at is not None:
        return "finished"
    if link.expires_at <= now:
        return "expired"
    if link.token_hash[:19] in locked_keys:
        return "locked"
    return "opened" if link.bound_at is not None else "live"


def link_rows(
    application: Application, *, materials: dict[int, str], labels: dict[str, str]
) -> list[LinkRow]:
    """Every link sent for the application, newest first, with its state: two queries."""
    links = list(application.remote_links.select_related("sent_by", "revoked_by"))
    keys = [link.token_hash[:19] for link in links]
    failures = (
        Attempt.objects.filter(
            scope=Scope.REMOTE_OPEN, key__in=keys, outcome__in=limits.REMOTE_OPEN_PER_LINK.counts
        )
        .values("key")
        .annotate(count=Count("pk"))
        if keys
        else []
    )
    locked = {row["key"] for row in failures if row["count"] >= limits.REMOTE_OPEN_PER_LINK.maximum}
    now = timezone.now()
    return [
        LinkRow(
            link=link,
            status=_status(link, now, locked),
            materials=[materials[pk] for pk in link.material_ids if pk in materials],
            fields=[labels.get(key, key) for key in link.field_keys],
        )
        for link in links
    ]


def arrivals(application: Application) -> Arrivals:
    """The current files, the form answers and the signed authorisations from the villager's
    phone: three queries."""
    files = list(
        application.files.filter(
            origin=ApplicationFile.Origin.VILLAGER_PHONE, superseded_at__isnull=True
        ).order_by("kind", "material_name", "uploaded_at")
    )
    answers = list(
        application.events.filter(
            act__in=[Act.VILLAGER_ANSWERED, Act.DATA_SUPPLEMENTED], actor_role="villager"
        )
    )
    consents = list(Consent.objects.filter(application=application).order_by("-signed_at"))
    return Arrivals(files=files, answers=answers, consents=consents)


def villager_files(link: RemoteLink) -> dict[int, list[ApplicationFile]]:
    """The current files of each asked material, for the villager's page (one query)."""
    found: dict[int, list[ApplicationFile]] = {pk: [] for pk in link.material_ids}
    rows = ApplicationFile.objects.filter(
        application_id=link.application_id,
        material_id__in=link.material_ids,
        superseded_at__isnull=True,
    ).only("pk", "material_id", "display_name", "size", "origin", "uploaded_at")
    for row in rows:
        found.setdefault(row.material_id or 0, []).append(row)
    return found


def latest_consent(link: RemoteLink) -> Consent | None:
    return Consent.objects.filter(link=link).order_by("-signed_at").first()
