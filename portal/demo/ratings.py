"""Demo ratings: every level, a rectification in each state and an appeal."""

from collections.abc import Callable


def load_demo_ratings(progress: Callable[[str], None] = print) -> None:
    progress("Ratings: none yet")
