"""Cookies, sessions, login lockout, password rules and HTTP security headers."""

from datetime import timedelta

from portal.people.passwords import validators_for_policy

from .base import DEBUG
from .env import env_bool, env_int, env_str

AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked account or address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "portal.people.auth.UsernameOrMobileBackend",
    "guardian.backends.ObjectPermissionBackend",
]

LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "web:staff_home"
LOGOUT_REDIRECT_URL = "web:home"

# Sessions end after a period of inactivity: use pushes the expiry forward, at most once every
# SESSION_RENEW_SECONDS (portal/people/sessions.py: RenewingSessionMiddleware), so a page view is
# not a database write.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = env_int("SESSION_RENEW_SECONDS", 60)
# ...and end this long after login however busy they are (portal/people/sessions.py); 0: off.
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
# No Cunban script reads the CSRF cookie (forms carry the token; Wagtail's admin puts it in its
# page config), so scripts may not read it either.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
LANGUAGE_COOKIE_SAMESITE = "Lax"

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# django-axes: lock an account, or an address, after repeated failures (either one alone).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.people.views.locked_out"
# Count per account, not per spelling: "Clerk_A", "clerk_a" and the clerk's mobile are one key.
AXES_USERNAME_CALLABLE = "portal.people.auth.lockout_username"
# Proxies in front that append to X-Forwarded-For (nginx: 1; 0: none, the header is ignored).
# portal/throttle/client_address.py reads the client from it, for axes and every other limit alike.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "portal.throttle.client_address.client_address"
AXES_VERBOSE = False

# Second factor (portal/people/two_factor.py): TOTP apps, optional unless this is on (等保 level 3).
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF", False)
# Administrators (county and township) and centre supervisors must enrol whenever DEBUG is off;
# the demo (DEBUG=1) and the test settings leave it off, production may not (issue 16).
OTP_REQUIRED_FOR_ADMINISTRATORS = env_bool("OTP_REQUIRED_FOR_ADMINISTRATORS", not DEBUG)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Cunban")

# One login and one password-reset path for staff (portal/people/password_reset.py): Wagtail's
# own reset is off and its /admin/login/ and /admin/password_reset/ redirect to ours (portal/urls.py).
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Wagtail's account page changes neither the e-mail (a new one waits for the owner's
# confirmation, /accounts/contact/) nor the password (/accounts/password/).
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_MINUTES", 60) * 60
PASSWORD_RESET_PER_ACCOUNT_HOUR = env_int("PASSWORD_RESET_PER_ACCOUNT_HOUR", 3)
PASSWORD_RESET_PER_ADDRESS_HOUR = env_int("PASSWORD_RESET_PER_ADDRESS_HOUR", 10)

# django-guardian: Cunban grants object permissions to staff only; no anonymous row.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Two password policies (portal/people/passwords.py, docs/settings.md "Accounts and sessions").
# asvs: OWASP ASVS 5.0 V6.2, minimum 12 (ASVS asks at least 8 and recommends 15; 12 is what staff
# typing on shared township PCs accept without writing it down), no composition rules, no expiry.
# dengbao: 等保 2.0 level 3, minimum 8 with three of four character classes, 90-day expiry.
PASSWORD_POLICY = env_str("PASSWORD_POLICY", "asvs").strip().lower()
if PASSWORD_POLICY not in {"asvs", "dengbao"}:
    raise ValueError("PASSWORD_POLICY must be asvs or dengbao")
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8 if PASSWORD_POLICY == "dengbao" else 12)  # noqa: S105 - a policy name, not a password
# Days a password stays valid; 0: never expires (ASVS 6.2.10). dengbao defaults to 90.
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90 if PASSWORD_POLICY == "dengbao" else 0)  # noqa: S105 - a policy name
AUTH_PASSWORD_VALIDATORS = validators_for_policy(PASSWORD_POLICY, min_length=PASSWORD_MIN_LENGTH)

# Keys for resident ID numbers. Encryption keys are Fernet keys, newest first, comma separated
# (MultiFernet), so a key can be rotated without losing old rows (`manage.py rotate_field_keys`,
# docs/deploy.md). The lookup hash key must never change once rows exist: the uniqueness of ID
# numbers rests on it. With DEBUG off both are required (portal/settings/keys.py); only a
# developer's machine (DEBUG) and the suite may derive them, and the certificate key, from
# SECRET_KEY, and only when they are left empty.
FIELD_ENCRYPTION_KEYS = env_str("FIELD_ENCRYPTION_KEYS", "")
ID_HASH_KEY = env_str("ID_HASH_KEY", "")
CUNBAN_KEYS_FROM_SECRET_KEY = DEBUG
