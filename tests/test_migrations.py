"""The schema comes from migrations/, and the migrations agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from prb.extensions import db
from tests.conftest import make_app


def test_upgrade_builds_the_schema_the_models_describe(empty_database: str) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
        assert "proposals" in inspect(db.engine).get_table_names()
        downgrade(revision="base")
        assert "proposals" not in inspect(db.engine).get_table_names()
        db.engine.dispose()
