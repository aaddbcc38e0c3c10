"""Runs `supervise` as its own process, so tests can signal it as a terminal would.

    python supervise_runner.py GRACE NAME=RECORD@MODE …

Each child is tests/web/supervise_child.py; the exit status is supervise's.
"""

import sys
from pathlib import Path

from django.conf import settings

settings.configure(USE_I18N=False)

from portal.web.supervise import Child, supervise  # noqa: E402 - needs the settings above

CHILD = str(Path(__file__).with_name("supervise_child.py"))

grace = float(sys.argv[1])
children = []
for spec in sys.argv[2:]:
    name, rest = spec.split("=", 1)
    record, mode = rest.split("@", 1)
    children.append(Child(name, [sys.executable, CHILD, record, mode]))
sys.exit(supervise(children, say=lambda line: print(line, flush=True), grace_seconds=grace))
