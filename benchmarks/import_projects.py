"""Time the project import (dry run, then import) of a generated file of N projects, each with
two implementing entities, a commitment and a disbursement, on a fresh database.

    python -m benchmarks.import_projects --rows 5000 --database-url sqlite:///tmp/imp.sqlite3
    python -m benchmarks.import_projects --rows 5000 \
        --database-url postgresql://postgres@127.0.0.1:5432/prb_bench_import

The database is emptied first (drop_all, create_all): give one used for nothing else.
"""

from __future__ import annotations

import argparse
import csv
import io
import time
from decimal import Decimal

from prb import create_app
from prb.config import normalise_database_url
from prb.extensions import db
from prb.models import Entity, FundingProgramme, User, WorkingGroup
from prb.services import portfolio_import
from prb.services.portfolio_import.columns import NAMES
from workflows import Role


def generated_file(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(NAMES), lineterminator="\n")
    writer.writeheader()
    for i in range(rows):
        writer.writerow(
            {
                "project_code": f"BENCH-{i:06d}",
                "title": f"Generated project {i} for the import benchmark, with a realistic title",
                "programme_code": "BENCH-PROGRAMME",
                "working_group": "Communications",
                "lead_entity": "CTED",
                "implementing_entities": "UNODC;UNCCT",
                "objective": "Counter terrorist narratives through the development of good "
                "practices, recommendations for effective monitoring and evaluation and toolkit",
                "scope": "Global",
                "results_alignment": "Outcome 4, Output 4.2",
                "approved_budget": "100.00",
                "decision_date": "2018-08-24",
                "decision_reference": "PRB/WP/2018/03",
                "period_start": "2018-09-01",
                "duration_months": "12",
                "duration_note": "subject to extension",
                "status": "Ongoing",
                "committed": "100.00",
                "committed_on": "2018-09-05",
                "disbursed": "50.00",
                "disbursed_on": "2018-11-20",
            }
        )
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    url = normalise_database_url(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        entities = {code: Entity(code=code, name=code) for code in ("CTED", "UNODC", "UNCCT")}
        db.session.add_all(entities.values())
        db.session.add(WorkingGroup(name="Communications", short_name="Communications"))
        db.session.add(
            FundingProgramme(
                code="BENCH-PROGRAMME",
                title="Benchmark",
                start_year=2017,
                end_year=2018,
                envelope=Decimal("1000000000.00"),
            )
        )
        user = User(
            email="bench@prb.example", name="Bench", entity=entities["CTED"], password_hash="x"
        )
        user.set_roles({Role.SECRETARIAT})
        db.session.add(user)
        db.session.commit()
        content = generated_file(args.rows)
        started = time.perf_counter()
        result = portfolio_import.check_projects(user, "bench.csv", content)
        checked = time.perf_counter() - started
        assert result.importable, result.errors[:5]
        started = time.perf_counter()
        portfolio_import.import_projects(user, "bench.csv", content)
        imported = time.perf_counter() - started
        backend = db.engine.dialect.name
        print(
            f"{backend}: {args.rows:,} rows, {len(content) / 1e6:.1f} MB — "
            f"dry run {checked:.2f} s, import {imported:.2f} s"
        )


if __name__ == "__main__":
    main()
