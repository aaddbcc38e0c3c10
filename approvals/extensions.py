"""Where the apps above applications (certificates, ratings) join an application's life without
applications importing them, so imports point one way: up the layers, never down.

Each hook is a Django signal sent synchronously, inside the caller's transaction, so a receiver's
error rolls the whole step back exactly as a direct call would. The apps connect their receivers
in their AppConfig.ready().

- `application_approved`: sent by the approval (批准) after its event is written; certificates
  issues the certificate (出证) here, so there is never an approval without its paper.
- `step_blockers_asked`: sent by `services.step_blocker` for a step the table allows; a receiver
  returns a sentence saying why the step cannot be taken now, or None (certificates answers for
  the hand-over, 送达, and for an approval while a field its certificate prints is empty).
- `tracking_notes_asked`: sent by the villager's tracking page; a receiver returns the
  `TrackingNote`s it adds, in the villager's words (ratings: what the office did about a bad
  rating, and the revisit).
- `in_force_asked`: sent by `selectors.application_duplicates`; a receiver returns a condition on
  applications (a Q or an Exists expression) that holds for an approved application whose result
  is still in force (certificates: a certificate neither revoked nor expired on `today`).
- `filing_panels_asked`: sent by the assistant's draft page (`views.filing`); a receiver returns a
  `Panel` it adds below the form, or None (online: "ask the villager to do it on their phone",
  the links sent and what came back from the villager's phone).
- `deadlines_swept` and `deadlines_recounted`: sent by the daily sweep and by the recount after
  the work calendar changed; a receiver does the same for its own deadlines and returns how many
  it reminded or moved (ratings, for the rectifications of bad ratings).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.dispatch import Signal

application_approved = Signal()
"""Arguments: application (locked, decided), actor, who (the capacity the step was taken in)."""

step_blockers_asked = Signal()
"""Arguments: application, act. Receivers return a blocker sentence or None."""

tracking_notes_asked = Signal()
"""Arguments: application (the villager proved who they are). Receivers return a list of
`TrackingNote`, or None."""


@dataclass(frozen=True)
class TrackingNote:
    """A section of the villager's tracking page added by an app above applications: a heading
    and sentences, plain text (the page escapes them), never a staff member's name."""

    heading: str
    lines: tuple[str, ...]


filing_panels_asked = Signal()
"""Arguments: application (a draft or returned application the user may file for), user.
Receivers return a `Panel`, or None."""


@dataclass(frozen=True)
class Panel:
    """A section an app above applications adds to a page: its template and that template's
    context (the page's own context, with the request and CSRF token, is there too)."""

    template: str
    context: dict


def panels(responses: Sequence[tuple[object, object]]) -> list[Panel]:
    """The panels of `Signal.send`'s (receiver, response) pairs, in the receivers' order."""
    return [response for _receiver, response in responses if isinstance(response, Panel)]


in_force_asked = Signal()
"""Arguments: today. Receivers return a condition on Application (Q or Exists) or None."""

deadlines_swept = Signal()
"""Arguments: today. Receivers return how many overdue items they reminded."""

deadlines_recounted = Signal()
"""Arguments: actor. Receivers return how many dates they moved."""


def first_answer(responses: Sequence[tuple[object, object]]) -> str | None:
    """The first non-empty answer of `Signal.send`'s (receiver, response) pairs."""
    return next((response for _receiver, response in responses if response), None)


def total(responses: Sequence[tuple[object, object]]) -> int:
    """The sum of the counts `Signal.send`'s receivers returned."""
    return sum(int(response or 0) for _receiver, response in responses)
