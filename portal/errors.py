"""Domain errors raised by services. Views turn them into a message in the user's language."""


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
