"""Settings come from the environment; every variable is listed in `.env.example`.

The modules are split by concern, as in the HackSoft and djangoproject.com layouts:
`base` (apps, database, i18n), `storage` (local disk or S3-compatible buckets), `security`
(cookies, sessions, login lockout, headers), `content` (Wagtail, search, tasks, uploads),
`headers` (Content-Security-Policy, Cache-Control for private pages).
`portal.settings.test` tunes them for the suite.
"""

from .base import *  # noqa: F403
from .content import *  # noqa: F403
from .headers import *  # noqa: F403
from .security import *  # noqa: F403
from .storage import *  # noqa: F403

