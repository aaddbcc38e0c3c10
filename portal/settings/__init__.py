"""Settings come from the environment; every variable is listed in `.env.example`.

The modules are split by concern, as in the HackSoft and djangoproject.com layouts:
`base` (apps, database, i18n), `storage` (local disk or S3-compatible buckets), `security`
(cookies, sessions, login lockout, headers), `content` (Wagtail, search, tasks, uploads),
`headers` (Content-Security-Policy, Cache-Control for private pages).
`portal.settings.test` tunes them for the suite.
"""

import os as _os

from .base import *  # noqa: F403
from .content import *  # noqa: F403
from .headers import *  # noqa: F403
from .keys import refuse_without_production_keys
from .security import *  # noqa: F403
from .storage import *  # noqa: F403

# With DEBUG off, no start without a deployment's own keys (portal/settings/keys.py). The suite's
# module (portal.settings.test) sets its own fixed keys after importing these.
if not DEBUG and _os.environ.get("DJANGO_SETTINGS_MODULE") != "portal.settings.test":  # noqa: F405
    refuse_without_production_keys(globals())
