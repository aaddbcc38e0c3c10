"""Content-Security-Policy (django-csp) and the Cache-Control rule for private pages.

Every page, public or staff, carries one strict policy: scripts, styles, fonts, images and
form targets from our own origin only, no inline script or style, no plug-ins, no framing, no
<base>. Cunban's templates keep their scripts and styles in static files (portal/static), so the
public pages need nothing more. Wagtail's admin (/admin/) gets the one relaxation it needs,
decided in portal/web/csp.py and described in docs/deploy.md "Content-Security-Policy".

CSP_REPORT_ONLY=1 sends the same policy as Content-Security-Policy-Report-Only instead, for a
rollout that watches the browser console (or CSP_REPORT_URI) before enforcing.
"""

from csp.constants import NONE, SELF

from .env import env_bool, env_str

CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
CSP_REPORT_URI = env_str("CSP_REPORT_URI", "")

_CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    # data: for the SVG icons Wagtail's admin and the browsers' own form controls draw.
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "frame-src": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
    "base-uri": [NONE],
    "object-src": [NONE],
}
if CSP_REPORT_URI:
    _CSP_DIRECTIVES["report-uri"] = [CSP_REPORT_URI]

# django-csp reads one of the two settings; the other stays empty so only one header is sent.
CONTENT_SECURITY_POLICY = None if CSP_REPORT_ONLY else {"DIRECTIVES": _CSP_DIRECTIVES}
CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES} if CSP_REPORT_ONLY else None

# Cache-Control: private, no-store (portal/web/cache_headers.py) on every response to a logged-in
# request, on every view marked @no_store, and on every path under these prefixes: the staff
# areas, the login pages, and the public pages that show a villager's own data (tracking, the
# certificate check, a wish's page).
NO_STORE_PATH_PREFIXES = ["/work/", "/staff/", "/admin/", "/accounts/", "/track/", "/verify/", "/wishes/", "/m/"]

# Wagtail's admin would load staff avatars from gravatar.com: that sends a hash of each staff
# e-mail abroad and is blocked by img-src 'self' anyway. The admin shows its default avatar.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
