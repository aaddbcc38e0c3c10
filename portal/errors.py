"""Domain errors raised by services. Views turn them into a message in the user's language."""


class DomainError(Exception):
    """A rule refused the change; `str(error)` is a translated sentence for the user."""


class NotPermitted(DomainError):
    """The acting user's jurisdiction does not cover this object or action."""
