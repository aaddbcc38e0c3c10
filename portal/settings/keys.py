"""The keys a deployment must set itself, and the refusal to start without them.

With DEBUG off the web process (portal/wsgi.py: gunicorn and runserver) refuses to start
(ImproperlyConfigured, naming each variable), `manage.py check --deploy` fails (keys.E001) and a
plain `manage.py check` warns (keys.W001), unless SECRET_KEY, FIELD_ENCRYPTION_KEYS, ID_HASH_KEY
and CUNBAN_CERTIFICATE_KEY are set to values of their own (commands that read encrypted data
refuse at first use, portal/people/crypto.py): a published default (this repository's development or test key) or a key equal to
SECRET_KEY is refused, since anyone could then decrypt resident ID numbers, compute their
lookup hashes or forge certificate check codes. Deriving keys from SECRET_KEY is for developer
machines (DEBUG) and the test suite only (`CUNBAN_KEYS_FROM_SECRET_KEY`, portal/people/crypto.py).
`python -m portal.keys` prints a fresh set.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "django-insecure-cunban-development-key-do-not-use-in-production"  # noqa: S105 - the published default that is refused
TEST_SECRET_KEY = "test-secret-key-for-the-cunban-suite-0123456789abcdef"  # noqa: S105 - the suite's key, refused in production
PUBLISHED_SECRET_KEYS = frozenset({DEVELOPMENT_SECRET_KEY, TEST_SECRET_KEY})

NOT_SET = "not set"
PUBLISHED = "a published default"
REQUIRED_KEYS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "ID_HASH_KEY", "CUNBAN_CERTIFICATE_KEY")
MIN_KEY_LENGTH = 32
"""Characters a lookup-hash or certificate key needs at least (a token_urlsafe(32) has 43)."""


def _fernet_key_problem(keys: str) -> str:
    from cryptography.fernet import Fernet

    parts = [part.strip() for part in keys.split(",")]
    if not any(parts):
        return NOT_SET
    for position, part in enumerate(parts, start=1):
        try:
            Fernet(part.encode())
        except ValueError:
            return f"key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
    return ""


def production_key_problems(values: Mapping[str, str]) -> dict[str, str]:
    """For each required variable that is unusable with DEBUG off, why; empty when all are fine."""
    problems: dict[str, str] = {}
    secret = values.get("SECRET_KEY") or ""
    if not secret or secret == DEVELOPMENT_SECRET_KEY:
        problems["SECRET_KEY"] = NOT_SET + " (the development default is refused)"
    elif secret in PUBLISHED_SECRET_KEYS or secret.startswith("django-insecure"):
        problems["SECRET_KEY"] = PUBLISHED
    fernet = _fernet_key_problem(values.get("FIELD_ENCRYPTION_KEYS") or "")
    if fernet:
        problems["FIELD_ENCRYPTION_KEYS"] = fernet
    for name in ("ID_HASH_KEY", "CUNBAN_CERTIFICATE_KEY"):
        value = values.get(name) or ""
        if not value:
            problems[name] = NOT_SET
        elif len(value) < MIN_KEY_LENGTH:
            problems[name] = f"shorter than {MIN_KEY_LENGTH} characters"
        elif value == secret:
            problems[name] = "the same as SECRET_KEY"
    return problems


def configured_key_problems() -> dict[str, str]:
    """`production_key_problems` for the running settings; empty with DEBUG on and in the suite
    (portal.settings.test), which derive their keys from SECRET_KEY on purpose."""
    from django.conf import settings

    if settings.DEBUG or getattr(settings, "CUNBAN_KEYS_FROM_SECRET_KEY", False):
        return {}
    return production_key_problems({name: getattr(settings, name, "") or "" for name in REQUIRED_KEYS})


def problems_text(problems: Mapping[str, str]) -> str:
    listed = "; ".join(f"{name}: {why}" for name, why in problems.items())
    return (
        f"DEBUG is off, and these keys are missing or unsafe: {listed}. Set each in the environment "
        "(docs/settings.md, .env.example); `python -m portal.keys` prints a fresh set. "
        "Never reuse the keys of another site."
    )


def refuse_to_serve_without_production_keys() -> None:
    """Called by portal/wsgi.py, which gunicorn and runserver both load: with DEBUG off the site
    does not serve a single request on a published or derived key."""
    problems = configured_key_problems()
    if problems:
        raise ImproperlyConfigured(problems_text(problems))


def refuse_without_production_keys(values: Mapping[str, str]) -> None:
    """Raise ImproperlyConfigured naming every missing or unsafe key."""
    problems = production_key_problems(values)
    if problems:
        raise ImproperlyConfigured(problems_text(problems))
