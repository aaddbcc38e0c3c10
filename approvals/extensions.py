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
