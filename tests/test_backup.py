"""`prb backup` and `prb restore`: a restored database serves the same portfolio."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from prb.extensions import db
from tests.conftest import make_app

PAGES = ["/finance/dashboard.csv", "/reports/portfolio.csv?year=2018", "/proposals/?page=2"]


def snapshot(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.post(
        "/login", data={"email": "secretariat@prb.example", "password": "prb-demo-password"}
    )
    return {page: client.get(page).get_data(as_text=True) for page in PAGES}


def test_backup_then_restore_after_losing_everything(empty_database: str, tmp_path: Path) -> None:
    app = make_app(empty_database, SIGNING_P12="")
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade()
        assert runner.invoke(args=["demo"]).exit_code == 0
        before = snapshot(app)
        assert "UNCCT-2017-73-a" in before["/finance/dashboard.csv"]
        target = tmp_path / "prb.backup"
        result = runner.invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0

        # everything is lost
        db.session.remove()
        db.engine.dispose()
        if db.engine.dialect.name == "sqlite":
            Path(db.engine.url.database).unlink()
        else:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()

        result = runner.invoke(args=["restore", str(target), "--yes"])
        assert result.exit_code == 0, result.output
        after = snapshot(app)
        db.session.remove()
        db.engine.dispose()
    assert after == before
