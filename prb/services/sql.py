"""SQL helpers the services share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ARRAY, BindParameter, ColumnElement, String, any_, bindparam


def written_in(value: object) -> ColumnElement[object]:
    """A fixed value (a state, a kind), written into the SQL rather than bound. On
    PostgreSQL a bound value hides from the planner that 'open' items are few: it then
    judged a plan made once worse than one made for each run, and planned the query anew
    every time (3.6 ms of its 4.7). Written in, the prepared statement's one plan serves
    every run. Only for the code's own constants, never for what a user typed."""
    return bindparam(None, value, type_=String(), literal_execute=True)


def among(column: ColumnElement[Any], values: Sequence[object]) -> ColumnElement[bool]:
    """`column IN (values)`, as one array parameter on PostgreSQL (`= ANY($1)`). An IN list
    of a hundred ids is a statement of a hundred parameters that psycopg converts on every
    run (too long for its cache) and PostgreSQL plans on every run; one array keeps one
    statement text, converted once and planned once. SQLite has no arrays: an IN list."""
    return among_bound(column, bindparam(None, list(values)), _dialect_name())


def among_bound(
    column: ColumnElement[Any], values: BindParameter[Any], dialect_name: str
) -> ColumnElement[bool]:
    """`among` for a statement built once with the ids bound by name at each run:
    `among_bound(Proposal.id, bindparam("ids"), "postgresql")`."""
    if dialect_name == "postgresql":
        values.type = ARRAY(column.type)
        return column == any_(values)
    values.expanding = True
    return column.in_(values)


def _dialect_name() -> str:
    from prb.extensions import db

    return db.session.get_bind().dialect.name
