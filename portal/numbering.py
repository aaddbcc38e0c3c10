"""Numbers people read (application numbers, certificate serials, ledger numbers): one counter
row per key, taken under a row lock so two clerks never get the same number.

Each app keeps its own table (a concrete subclass of `Sequence` with its own key fields and
unique constraint); this abstract model holds the one way of taking the next number."""

from django.db import models


class Sequence(models.Model):
    """A counter row per key (township and day, office and year …) for numbers people read."""

    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @classmethod
    def take_next(cls, **key) -> int:
        """The next number for `key`. Call it inside a transaction: the key's row stays locked
        until commit, so concurrent callers queue for a moment and never share a number (a
        first-ever row created by two at once ends in one IntegrityError retried by
        get_or_create)."""
        sequence, _created = cls.objects.select_for_update().get_or_create(**key)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        return sequence.last
