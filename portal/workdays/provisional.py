"""The words that mark a deadline counted through a year without a confirmed calendar.

One sentence everywhere (pages, printed papers, text messages), so a villager who reads it on
the receipt recognises it in the message and on the tracking page.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _


def provisional_note(years: Iterable[int]) -> str:
    """ "2027年放假安排尚未确定，期限为暂定，可能调整。", or "" when `years` is empty."""
    years = sorted(set(years))
    if not years:
        return ""
    return _(
        "The %(years)s holiday schedule is not settled yet: this date is provisional and may change."
    ) % {"years": "、".join(str(year) for year in years)}


def with_provisional_note(text: str, note: str) -> str:
    """`text` followed by the note, when there is one (a paper's line, a text message)."""
    return f"{text} {note}" if note else text
