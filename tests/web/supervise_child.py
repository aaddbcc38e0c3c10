"""A stand-in for runserver or db_worker in tests/web/test_supervise.py.

    python supervise_child.py RECORD MODE

Writes "ready" to RECORD, then each signal number it receives, one a line. MODE: `obedient`
(exits 0 on the first SIGINT or SIGTERM), `stubborn` (ignores them), `twice` (exits on the
second), `fail:N` (exits with status N once ready), `fail:N:OTHER` (the same, once the record
OTHER of the other child says it is ready: on a busy machine the other child may not have
started yet, and a test of how it is stopped would see nothing).
"""

import signal
import sys
import time
from pathlib import Path

record, mode = Path(sys.argv[1]), sys.argv[2]
received: list[int] = []


def on_signal(signum, frame):
    received.append(signum)
    with record.open("a") as file:
        file.write(f"{signum}\n")
    if mode == "obedient" or (mode == "twice" and len(received) == 2):
        sys.exit(0)


for signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(signum, on_signal)
record.write_text("ready\n")
if mode.startswith("fail:"):
    _, status, *other = mode.split(":", 2)
    deadline = time.monotonic() + 30
    while other and time.monotonic() < deadline and not Path(other[0]).is_file():
        time.sleep(0.05)
    sys.exit(int(status))
while True:
    time.sleep(0.05)
