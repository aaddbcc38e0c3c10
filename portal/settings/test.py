"""Settings for the test suite: quick hashing, in-memory files, no cookie-over-TLS assumptions."""

from . import *  # noqa: F403
from .env import env_str
from .keys import TEST_SECRET_KEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# A second alias on the same test database, so tests/deploy/test_replica.py can show which pages
# read from a replica. Routing to it stays off (CUNBAN_READ_REPLICA empty) unless a test turns it on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
CUNBAN_READ_REPLICA = ""
# The webhook tests' receiver listens on 127.0.0.1.
CUNBAN_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
CUNBAN_SMS_BACKEND = "portal.outbox.senders.MemorySender"
# Stable keys so encrypted fixtures are reproducible across runs.
SECRET_KEY = env_str("SECRET_KEY", TEST_SECRET_KEY)
# The suite may derive the ID-number and certificate keys from SECRET_KEY when they are unset;
# a deployment (DEBUG off) may not (portal/settings/keys.py).
CUNBAN_KEYS_FROM_SECRET_KEY = True
# The suite runs with DEBUG off; tests that need the administrators' second factor turn it on.
OTP_REQUIRED_FOR_ADMINISTRATORS = False
