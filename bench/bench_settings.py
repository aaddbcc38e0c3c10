"""Settings for benchmark servers: the project's own settings with one extra URL.

Everything is inherited unchanged from `portal.settings` (and so from the same environment
variables), because a benchmark of different settings would measure a different site. The
only change is the URLconf, which adds `/_bench/bare/`: a baseline view that goes through the
same gunicorn, WSGI handler and middleware stack but renders nothing and queries nothing, so
the home page's cost can be read against it.
"""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
