"""Run a few processes together and stop them together (`manage.py serve_demo`).

The demo needs a web server and a task worker at once: without the worker a catalogue upload
stays "queued" for ever (issue 15). `supervise` starts both, forwards Ctrl-C (SIGINT) and SIGTERM
to them, and when one of them stops on its own it says so and stops the other, so that nobody is
left with a web server whose uploads never run, or a worker nobody sees. Its exit status is
non-zero when a process failed.

Each child runs in a process group of its own, so a Ctrl-C in the terminal reaches it once,
forwarded from here, and never twice: db_worker takes a second SIGINT as "abandon the task in
hand". Signals go to the child's whole group, so anything it started stops too. On Linux a child
is also told to stop if this process dies without cleaning up (killed with SIGKILL).

Plain subprocesses rather than shell job control in the Makefile, so that the behaviour is the
same everywhere and is tested (tests/web/test_supervise.py).
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Child:
    """A process to run: the name the messages give it, and its command line."""

    name: str
    argv: Sequence[str]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send the child SIGTERM when the supervisor dies, however it dies."""
    with contextlib.suppress(OSError, AttributeError):  # elsewhere our own clean-up is all there is
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(process.pid, signum)


def _status(returncode: int) -> str:
    if returncode < 0:
        return _("signal %(name)s") % {"name": signal.Signals(-returncode).name}
    return str(returncode)


def supervise(
    children: Sequence[Child],
    *,
    say: Callable[[str], None],
    grace_seconds: float = 30.0,
    poll_seconds: float = 0.1,
) -> int:
    """Run `children` until one stops or this process gets SIGINT/SIGTERM; then stop them all.

    Returns 0 after a requested stop in which every child stopped cleanly (exit status 0, or
    ended by the very signal it was sent), otherwise non-zero: the exit status of the child that
    stopped on its own (1 if that was 0 or a signal), or 1. A child still running `grace_seconds`
    after it was asked to stop (db_worker first finishes the task in hand) is killed, which also
    counts as a failure. A second Ctrl-C is forwarded too, so a worker abandons its task at once.
    """
    running: dict[str, subprocess.Popen] = {}
    requested: list[int] = []  # the stop signals received, in order
    signalled: set[int] = set()  # pids that were forwarded the first of them

    def forward(signum: int, frame) -> None:
        requested.append(signum)
        for process in running.values():
            if process.poll() is None:
                signalled.add(process.pid)
                _signal_group(process, signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    sent: dict[str, int] = {}
    failed: tuple[str, int] | None = None
    killed: list[str] = []
    try:
        for child in children:
            if requested:
                break
            running[child.name] = subprocess.Popen(  # noqa: S603 - our own manage.py commands
                list(child.argv),
                process_group=0,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        while not requested and failed is None:
            for name, process in running.items():
                if process.poll() is not None:
                    failed = (name, process.returncode)
                    break
            else:
                time.sleep(poll_seconds)
        if failed is not None:
            name, returncode = failed
            others = [other for other in running if other != name]
            say(
                _("Stopped: %(name)s (exit status %(status)s). Stopping %(others)s too.")
                % {"name": name, "status": _status(returncode), "others": _(", ").join(others) or "-"}
            )
            for other in others:
                if running[other].poll() is None:
                    sent[other] = signal.SIGTERM
                    _signal_group(running[other], signal.SIGTERM)
        else:
            say(_("Stopping %(names)s…") % {"names": _(", ").join(running)})
            sent = dict.fromkeys(running, requested[0])
            for process in running.values():  # one started just as the signal came
                if process.pid not in signalled and process.poll() is None:
                    _signal_group(process, requested[0])
        killed = _wait_or_kill(running, grace_seconds=grace_seconds, poll_seconds=poll_seconds, say=say)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for process in running.values():  # whatever happened above, leave nothing behind
            if process.poll() is None:
                _signal_group(process, signal.SIGKILL)
                process.wait()

    if failed is not None:
        return failed[1] if failed[1] > 0 else 1
    unclean = [
        name
        for name, process in running.items()
        if name not in killed and process.returncode not in (0, -sent.get(name, 0))
    ]
    for name in unclean:
        say(
            _("Ended with exit status %(status)s: %(name)s.")
            % {"name": name, "status": _status(running[name].returncode)}
        )
    return 1 if unclean or killed else 0


def _wait_or_kill(
    running: dict[str, subprocess.Popen],
    *,
    grace_seconds: float,
    poll_seconds: float,
    say: Callable[[str], None],
) -> list[str]:
    """Wait for every child to end; kill those still running after the grace period (returned)."""
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline and any(process.poll() is None for process in running.values()):
        time.sleep(poll_seconds)
    killed = []
    for name, process in running.items():
        if process.poll() is None:
            say(
                _("Killed %(name)s: it did not stop within %(seconds)s seconds.")
                % {"name": name, "seconds": f"{grace_seconds:g}"}
            )
            _signal_group(process, signal.SIGKILL)
            process.wait()
            killed.append(name)
    return killed
