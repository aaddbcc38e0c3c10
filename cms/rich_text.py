"""The rich text editor widget of the back office.

Wagtail renders an empty rich text field as one empty Draftail block, and an editor page sent
back untouched returns that block as `<p data-block-key="…"></p>`. Compared with the stored `""`
that is a change, and a change is a new revision by whoever sent the form: a second editor who
approves a policy whose full text is an attachment would become one of its authors and be refused
by the two-person rule (`cms.workflows`). An editor that holds only empty paragraphs is read as
empty, so an untouched empty field stays unchanged, and an emptied one is stored as `""`.
"""

import re

from wagtail.admin.rich_text import DraftailRichTextArea

# Paragraphs holding nothing but whitespace or a line break: what an emptied editor sends.
EMPTY_PARAGRAPHS = re.compile(r"(?:\s*<p(?:\s[^>]*)?>(?:\s|&nbsp;|<br\s*/?>)*</p>)*\s*")


def is_empty_rich_text(html: str) -> bool:
    """True for HTML that a reader would see as nothing at all."""
    return EMPTY_PARAGRAPHS.fullmatch(html) is not None


class DraftailEditor(DraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        try:
            value = super().value_from_datadict(data, files, name)
        except ValueError:
            # Not the editor's JSON: no browser sends that, and Wagtail would answer a crafted
            # form with a server error. Nothing in it can be read as text, so it is empty.
            return ""
        if value is not None and is_empty_rich_text(value):
            return ""
        return value
