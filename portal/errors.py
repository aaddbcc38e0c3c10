"""Domain errors raised by services. Views turn them into a message in the user's language."""

from typing import TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A rule refused the change; `str(error)` is a translated sentence for the user."""


class NotPermitted(DomainError):
    """The acting user's jurisdiction does not cover this object or action."""

    def __init__(self, *args):
        super().__init__(*args)
        # Every refusal is audited, whichever service raised it; imported here because the
        # audit app's models are not loaded yet when this module first is.
        # why: audit models are not loaded when this module first is
        from portal.audit.services import audit_refusal_note

        audit_refusal_note(args[0] if args else "")


class MissingState(RuntimeError):
    """A field the object's state guarantees was empty: a bug or a hand-edited row, not a refusal
    to show the user."""


def required(value: T | None, what: str) -> T:
    """`value`, which the object's state guarantees is set (an accepted application has a due
    date, a village has a township, a case has an office). Services read such fields through it so
    that the type checker knows, and a broken guarantee fails here, naming the field, instead of
    carrying None into a later step."""
    if value is None:
        raise MissingState(what)
    return value
