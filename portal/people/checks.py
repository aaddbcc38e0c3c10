"""Deployment checks for the keys that protect resident ID numbers."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from portal.settings.keys import configured_key_problems, problems_text


@register(Tags.security)
def production_keys_check(app_configs, **kwargs):
    """Any `manage.py` command with DEBUG off says so when the keys are not the site's own: the
    web process would refuse to start (portal/wsgi.py)."""
    problems = configured_key_problems()
    if not problems:
        return []
    return [
        Warning(
            problems_text(problems),
            hint="The web process (gunicorn, runserver) refuses to start like this; for development set DEBUG=1.",
            id="keys.W001",
        )
    ]


@register(Tags.security, deploy=True)
def production_keys_deploy_check(app_configs, **kwargs):
    """The deploy gate fails outright without the site's own keys (issue 16, finding 4)."""
    problems = configured_key_problems()
    if not problems:
        return []
    return [Error(problems_text(problems), hint="`python -m portal.keys` prints a fresh set.", id="keys.E001")]


@register(Tags.security, deploy=True)
def id_number_keys_check(app_configs, **kwargs):
    """A deployment must set its own keys: the defaults derive from SECRET_KEY, so rotating
    SECRET_KEY would make every stored ID number unreadable and every lookup hash wrong."""
    problems = []
    if not settings.FIELD_ENCRYPTION_KEYS:
        problems.append(
            Warning(
                "FIELD_ENCRYPTION_KEYS is not set: resident ID numbers are encrypted with a key derived from SECRET_KEY.",
                hint="Generate one with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`.",
                id="cunban.W001",
            )
        )
    if not settings.ID_HASH_KEY:
        problems.append(
            Warning(
                "ID_HASH_KEY is not set: the ID number lookup hash uses a key derived from SECRET_KEY.",
                hint="Set a long random value once and never change it.",
                id="cunban.W002",
            )
        )
    if settings.CUNBAN_DEMO:
        problems.append(
            Warning(
                "CUNBAN_DEMO is on: demo logins can be created.",
                hint="Unset CUNBAN_DEMO on a real deployment.",
                id="cunban.W003",
            )
        )
    return problems
