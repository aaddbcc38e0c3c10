"""What a client may be given: the scopes, and the work on its office each one reads.

One table. A scope reaches only what lies within the client's office's jurisdiction, and an
administrator may give a scope only where they hold its office action themselves
(`OFFICE_ACTION`), so nobody raises their own powers through a client. A scope with no office
action (the public catalogue) may be given by anyone who may create a client at all.

New scopes (webhooks' events, say) are added here, with their office action."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.people.roles import Action


class Scope(models.TextChoices):
    CATALOGUE_READ = "catalogue:read", _("Read the service catalogue")
    REQUESTS_WRITE = "requests:write", _("Send villagers' requests (hotline work orders)")
    APPLICATIONS_READ_STATUS = "applications:read-status", _("Read the status of applications")
    RATINGS_READ = "ratings:read", _("Read ratings")


OFFICE_ACTION: dict[str, str | None] = {
    Scope.CATALOGUE_READ: None,
    Scope.REQUESTS_WRITE: Action.VIEW,
    Scope.APPLICATIONS_READ_STATUS: Action.VIEW,
    Scope.RATINGS_READ: Action.VIEW,
}
"""The office action an administrator must hold on the client's office to give the scope."""

ALL = tuple(scope.value for scope in Scope)
