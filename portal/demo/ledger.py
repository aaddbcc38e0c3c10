"""Demo requests ledger: open, overdue, done-awaiting-confirmation and closed items per village."""

from collections.abc import Callable


def load_demo_ledger(progress: Callable[[str], None] = print) -> None:
    progress("Ledger: none yet")
