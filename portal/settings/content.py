"""Wagtail, search, background tasks and uploads."""

from .env import env_bool, env_int, env_list, env_str

WAGTAIL_SITE_NAME = "村办 Cunban"
# The public address printed in QR codes and sent in text messages (portal/web/base_url.py):
# scheme, host and port only. Wagtail's own emails use it too. `manage.py check` and a warning
# on staff pages say when it is not the address the site is served from.
SITE_BASE_URL = env_str("SITE_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_BASE_URL
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no network at run time
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Wagtail sends visitors it turns away to the one staff login; `people.views.StaffLoginView` tells
# logged-in staff without back-office access where their work is instead of sending them back.
WAGTAILADMIN_LOGIN_URL = "people:login"
# Wagtail's Draftail editor, reading an editor holding only empty paragraphs as empty (see
# cms.rich_text for why that matters to the two-person rule).
WAGTAILADMIN_RICH_TEXT_EDITORS = {"default": {"WIDGET": "cms.rich_text.DraftailEditor"}}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "xlsx", "jpg", "jpeg", "png"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env_int("DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
CUNBAN_UPLOAD_MAX_BYTES = env_int("CUNBAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)  # portal/files/uploads.py

# Long jobs (imports, batch certificates, reminders) run on the database task backend;
# `manage.py db_worker` works the queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Webhooks (api/webhook_*.py, docs/webhooks.md): outbound calls to partners' endpoints. A target
# resolving to a private, loopback or link-local address is refused unless this is on (the
# tests' local receiver); redirects are never followed.
CUNBAN_WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("CUNBAN_WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
CUNBAN_WEBHOOK_TIMEOUT_SECONDS = env_int("CUNBAN_WEBHOOK_TIMEOUT_SECONDS", 5)
CUNBAN_WEBHOOK_MAX_ATTEMPTS = env_int("CUNBAN_WEBHOOK_MAX_ATTEMPTS", 8)
CUNBAN_WEBHOOK_PAUSE_AFTER_FAILURES = env_int("CUNBAN_WEBHOOK_PAUSE_AFTER_FAILURES", 5)
# After a secret is rotated, deliveries carry a signature with the old secret too for this long,
# so the partner switches without losing a message.
CUNBAN_WEBHOOK_SECRET_GRACE_HOURS = env_int("CUNBAN_WEBHOOK_SECRET_GRACE_HOURS", 24)
# `prune_webhook_deliveries` deletes delivered and given-up deliveries (with their attempts) older
# than this; six months by default, like the audit log (网络安全法: network logs at least 6 months).
CUNBAN_WEBHOOK_RETENTION_DAYS = env_int("CUNBAN_WEBHOOK_RETENTION_DAYS", 184)

DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# A file over CUNBAN_UPLOAD_MAX_BYTES is dropped as it arrives, and no file of a request over
# the ceiling is kept; the form comes back with its fields and a message (portal/files/upload_limits.py).
CUNBAN_UPLOAD_MAX_REQUEST_BYTES = env_int("CUNBAN_UPLOAD_MAX_REQUEST_BYTES", 4 * CUNBAN_UPLOAD_MAX_BYTES)
FILE_UPLOAD_HANDLERS = [
    "portal.files.upload_limits.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Workflow notifications (two-person publishing, cms) are sent by email.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cunban@localhost")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# Text messages to villagers and staff (portal/outbox, docs/notifications.md): the provider
# adapter, a dotted path to an SmsGateway subclass. The default console sender reaches no phone.
CUNBAN_SMS_BACKEND = env_str("CUNBAN_SMS_BACKEND", "portal.outbox.senders.ConsoleSender")
CUNBAN_SMS_FILE = env_str("CUNBAN_SMS_FILE", "")  # for portal.outbox.senders.FileSender (demo)
# For the template providers (portal/outbox/gateways: Aliyun, Tencent Cloud). Their credentials
# come from the environment only (ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET, TENCENTCLOUD_SECRET_ID/_KEY)
# and are never settings. The approved signature (签名); the templates, one
# `key=TEMPLATE_ID[:var|var]` per message kind, comma-separated (portal/outbox/gateways/templates.py);
# the region (empty: cn-hangzhou or ap-guangzhou); an endpoint other than the provider's public one
# (a URL; empty: the public one); the timeout of one call in seconds; Tencent's SdkAppId.
CUNBAN_SMS_SIGN_NAME = env_str("CUNBAN_SMS_SIGN_NAME", "")
CUNBAN_SMS_TEMPLATES = env_str("CUNBAN_SMS_TEMPLATES", "")
CUNBAN_SMS_REGION = env_str("CUNBAN_SMS_REGION", "")
CUNBAN_SMS_ENDPOINT = env_str("CUNBAN_SMS_ENDPOINT", "")
CUNBAN_SMS_TIMEOUT = float(env_str("CUNBAN_SMS_TIMEOUT", "") or 10)
CUNBAN_SMS_APP_ID = env_str("CUNBAN_SMS_APP_ID", "")

# Printed papers (portal/printing, docs/certificates.md): the CJK TrueType font they embed
# (empty: Debian's fonts-wqy-zenhei), and the key of the certificates' QR tokens and check codes
# (required with DEBUG off; empty on a developer's machine: SECRET_KEY). Set the key once and keep
# it: papers printed under an old key verify only while that key is listed in the fallbacks.
CUNBAN_PDF_FONT = env_str("CUNBAN_PDF_FONT", "")
CUNBAN_PDF_FONT_INDEX = env_int("CUNBAN_PDF_FONT_INDEX", 0)
CUNBAN_CERTIFICATE_KEY = env_str("CUNBAN_CERTIFICATE_KEY", "")
CUNBAN_CERTIFICATE_KEY_FALLBACKS = env_list("CUNBAN_CERTIFICATE_KEY_FALLBACKS")
# How many days the link texted to a villager with their certificate downloads its PDF
# (certificates/links.py); after that, the assistant prints it or texts it again.
CUNBAN_CERTIFICATE_LINK_DAYS = env_int("CUNBAN_CERTIFICATE_LINK_DAYS", 30)
