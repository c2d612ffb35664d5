"""`prb.services.sql.among`: one array parameter on PostgreSQL, an IN list elsewhere, and
the same rows either way."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from prb.extensions import db
from prb.models import Proposal
from prb.services.portfolio.rows import _statement, projects_by_id
from prb.services.sql import among, among_bound
from tests import factories


def test_among_selects_exactly_the_rows_named(world) -> None:  # type: ignore[no-untyped-def]
    first, second, third = (factories.proposal(world, title=f"P{n}") for n in range(3))
    db.session.commit()

    def chosen(ids: list[int]) -> set[int]:
        return set(db.session.scalars(select(Proposal.id).where(among(Proposal.id, ids))))

    assert chosen([first.id, third.id]) == {first.id, third.id}
    assert chosen([second.id]) == {second.id}
    assert chosen([third.id + 1000]) == set()
    assert chosen([]) == set()
    # The overview's statement built once: the same projects, with their columns.
    found = projects_by_id([third.id, first.id], date(2030, 1, 1))
    assert {pid: project.title for pid, (project, _note) in found.items()} == {
        first.id: "P0",
        third.id: "P2",
    }


def test_postgresql_gets_one_array_parameter_and_sqlite_an_in_list() -> None:
    """A hundred ids are one parameter on PostgreSQL (one statement text, one plan kept),
    so the statement's text does not grow with the number of ids."""
    ids = list(range(1, 101))

    def rendered(stmt, dialect) -> str:  # type: ignore[no-untyped-def]
        return str(stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True}))

    on_postgresql = rendered(
        _statement("postgresql").params(ids=ids, as_at=date(2030, 1, 1)), postgresql.dialect()
    )
    assert "proposals.id = ANY (%(ids)s::INTEGER[])" in on_postgresql
    on_sqlite = rendered(
        _statement("sqlite").params(ids=ids, as_at=date(2030, 1, 1)), sqlite.dialect()
    )
    assert "proposals.id IN (?, ?" in on_sqlite
    assert among_bound(Proposal.id, bindparam("x"), "sqlite").right.expanding
