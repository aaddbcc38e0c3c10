"""Which certificates a person may see, download and print: always through the applications
they may see, so a certificate is never reachable where its application is not. The rules
are `certificates.policies.certificate_policy`."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from approvals.models import Application
from approvals.states import State
from portal.people.models import User

from . import policies
from .models import Certificate, PrintBatch
from .policies import certificate_policy


def certificates_visible_to(user: User) -> QuerySet[Certificate]:
    return certificate_policy.instances_user_has_permission_for(user, policies.VIEW)


def certificate_for_download(user: User, application_pk: int, certificate_pk: int) -> Certificate:
    """A certificate of an application the user may see; DoesNotExist otherwise."""
    return (
        certificate_policy.instances_user_has_permission_for(user, policies.DOWNLOAD)
        .select_related("application", "issuing_office")
        .get(pk=certificate_pk, application_id=application_pk)
    )


def certificates_printable_by(user: User) -> QuerySet[Certificate]:
    """Certificates in force issued by an office the user handles work for (clerks, supervisors,
    county officers): what the print page lists and a batch may hold."""
    return certificate_policy.instances_user_has_permission_for(user, policies.PRINT)


@dataclass(frozen=True)
class CertificateFilter:
    query: str = ""
    issued_since: datetime.date | None = None


def certificate_list_for(user: User, filters: CertificateFilter | None = None) -> QuerySet[Certificate]:
    """The print page's list, newest first, with how often each paper was checked (one query)."""
    filters = filters or CertificateFilter()
    queryset = certificates_printable_by(user)
    if filters.issued_since:
        queryset = queryset.filter(issued_on__gte=filters.issued_since)
    if filters.query:
        text = filters.query.strip()
        queryset = queryset.filter(
            Q(licence_number__icontains=text)
            | Q(holder_name__icontains=text)
            | Q(application__number__icontains=text)
        )
    return (
        queryset.select_related("application", "issuing_office")
        .annotate(check_count=Count("checks"), last_checked=Max("checks__at"))
        .order_by("-issued_at", "-pk")
    )


def certificates_issued_today_by(user: User) -> QuerySet[Certificate]:
    return certificates_printable_by(user).filter(issued_on=timezone.localdate()).order_by("pk")


def certificates_of(application: Application) -> list[Certificate]:
    """The application's certificates, newest first, with their check counts (one query; none
    before an approval, the only step that issues one)."""
    if application.state != State.APPROVED:
        return []
    return list(
        application.certificates.select_related("issuing_office", "revoked_by", "handed_over_by")
        .annotate(check_count=Count("checks"), last_checked=Max("checks__at"))
        .order_by("-pk")
    )


def certificates_for_villager(application: Application) -> list[Certificate]:
    """What the villager's tracking page shows of the certificates: serial, kind, dates and
    status, never who issued or revoked them (no staff rows are loaded; no query before approval)."""
    if application.state != State.APPROVED:
        return []
    return list(
        application.certificates.only(
            "pk",
            "application_id",
            "licence_number",
            "licence_type_name",
            "issued_on",
            "valid_from",
            "valid_until",
            "revoked_at",
            "handed_over_on",
        ).order_by("-pk")
    )


def certificate_in_force_for_villager(application: Application, certificate_pk: int) -> Certificate | None:
    """The villager's certificate to print from the tracking page: theirs and not revoked."""
    return application.certificates.filter(pk=certificate_pk, revoked_at__isnull=True).first()


def print_batches_of(user: User) -> QuerySet[PrintBatch]:
    """A person's print batches, newest first: a batch is seen only by whoever asked for it."""
    return PrintBatch.objects.filter(created_by=user).order_by("-created_at", "-pk")
