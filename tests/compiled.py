"""A query the matrices ask thousands of times, compiled by the ORM once and then run as SQL.

The access matrices read an object's state before and after each request of each cell (the
"a refused request changed nothing" check): one `values_list` query with counting subqueries,
asked ten thousand times a module. Compiling such a query costs the ORM several times what
running it costs the database, and the SQL is the same each time; so it is compiled once per
key (the model and pk of the object: the data is built once per module) and run again through
the cursor. The row comes as the database driver gives it, without the ORM's converters: the
matrices only compare one such row with another and read its counts.
"""

from collections.abc import Callable, Hashable

from django.db import connection
from django.db.models import QuerySet

_compiled: dict[Hashable, tuple[str, tuple]] = {}


def one_row(key: Hashable, queryset: Callable[[], QuerySet]) -> tuple:
    """The single row of `queryset()` (a `values_list`), compiled the first time `key` is asked."""
    if key not in _compiled:
        _compiled[key] = queryset().query.sql_with_params()
    sql, params = _compiled[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    assert len(rows) == 1, f"expected one row, got {len(rows)}: {sql}"
    return tuple(rows[0])
