"""A one-line progress bar for management commands (imports, batch printing)."""

from collections.abc import Callable


class ProgressLine:
    """A one-line progress bar on a command's stream, redrawn in place; a new line when a phase
    ends. Called with (done, total, phase); `label` turns the phase into the words shown."""

    WIDTH = 30

    def __init__(self, stream, label: Callable[[str], str] = str):
        self.stream = stream
        self.label = label
        self.shown: tuple | None = None

    def __call__(self, done: int, total: int, phase: str = "") -> None:
        filled = self.WIDTH * done // total if total else self.WIDTH
        state = (phase, filled, done == total)
        if state == self.shown:
            return  # nothing visible changed: keep a long job from flooding a log file
        self.shown = state
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label(phase):<14} [{bar}] {done}/{total}", ending="")
        if done == total:
            self.stream.write("")
        self.stream.flush()
