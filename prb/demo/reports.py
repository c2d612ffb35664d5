"""The 2018 projects' progress reports in the demo: each ongoing project's chair submits a
report whose narrative is the project's progress paragraph in the seed document (its own
words, split into the report's parts), and the secretariat accepts it — all within 2018.
One more report is submitted and left waiting for the secretariat: its text is
illustrative and must never reach the annual report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from prb.models import CENT, ReportKind

# The report gives no reporting schedule. Quarterly reports for the 2017–2018 programme
# (illustrative) give every 2018 project — the Communications project started only in
# September — a report due within the year.
SCHEDULES: dict[str, int] = {"UNCCT-2017-73": 3}

# Spent to date, as a share of the approved budget: illustrative (the report gives no
# project's figures).
SPENT_SHARE = Decimal("0.40")


@dataclass(frozen=True)
class SeedReport:
    key: str  # the demo's key of the project
    due_on: date  # a due date of its schedule, within 2018
    submitted_on: date
    accepted_on: date | None  # None: submitted, not accepted
    activities: str
    results: str
    challenges: str = ""
    next_steps: str = ""


REPORTS: tuple[SeedReport, ...] = (
    SeedReport(
        "border",
        date(2018, 10, 1),
        date(2018, 10, 8),
        date(2018, 10, 15),
        activities="With UNCCT seed funding and under the Global Compact Working Group on "
        "Border Management and Law Enforcement related to Counter-Terrorism, chaired by "
        "CTED, a project was developed which aimed to raise awareness, increase knowledge "
        "and strengthen the capability of Member States to collect, use and share biometric "
        "data on terrorists, including foreign terrorist fighters in a responsible manner. "
        "Under this project, a Compendium of recommended practices for the responsible use "
        "and sharing of biometrics in counter-terrorism was developed in association with "
        "the Biometrics Institute.",
        results="The Compendium was officially released and presented during the High-Level "
        "Conference of Heads of Counter-Terrorism Agencies of Member States held in June "
        "2018. The Compendium provides key principles and recommendations for consideration "
        "by Member States and other partners when implementing actions related to biometric "
        "data at the national and regional levels.",
    ),
    SeedReport(
        "strategies",
        date(2018, 12, 1),
        date(2018, 12, 5),
        date(2018, 12, 12),
        activities="The seed funding project implemented by the Global Compact Working Group "
        "on National and Regional Strategies seeks to advise and support requesting Member "
        "States on the steps to be taken to develop a comprehensive and integrated "
        "counter-terrorism strategy, through the temporary on-site presence or visit by "
        "qualified experts.",
        results="In 2018, an expert consultant was engaged under this project to support the "
        "Government of Iraq in the development of a comprehensive strategy and to provide "
        "advisory support.",
        next_steps="The consultant will be deployed for technical and advisory visits to Iraq "
        "over the course of 2019.",
    ),
    SeedReport(
        "critical_infra",
        date(2018, 10, 15),
        date(2018, 10, 22),
        date(2018, 10, 29),
        activities="This seed project, implemented by the Global Compact Working Group on the "
        "Protection of Critical Infrastructure Including Internet, Vulnerable Targets and "
        "Tourism Security, developed and published the Compendium of Good Practices for the "
        "Protection of Critical Infrastructures against Terrorist Attacks in June.",
        results="This Compendium was designed as a tool to support a wide range of actors, "
        "including policy makers, law enforcement authorities and private sector "
        "stakeholders with responsibilities for designing, improving and implementing "
        "policies and measures to protect critical infrastructure against terrorist attacks, "
        "in compliance with Security Council resolution 2341 (2017).",
    ),
    SeedReport(
        "communications",
        date(2018, 12, 1),
        date(2018, 12, 6),
        date(2018, 12, 13),
        activities="This seed project, implemented by CTED within the scope of the Global "
        "Compact Working Group on Communications, in consultation with UNCCT, seeks to "
        "support Member States in the implementation of Security Council resolution 2354 "
        "(2017).",
        results="The Programme Review Board approved the project in August and a consultant "
        "was recruited late 2018 to prepare key findings based on desk review and produce a "
        "compilation of best practices as well as a comprehensive report and toolkit.",
    ),
    SeedReport(
        "legal",
        date(2018, 10, 1),
        date(2018, 10, 9),
        date(2018, 10, 16),
        activities="This seed project aims to strengthen criminal justice responses to "
        "terrorism by facilitating the use and the admissibility as evidence of information "
        "preserved, collected and shared by the military. In April 2018, CTED organised a "
        "high-level expert meeting, attended by around 40 international experts, to discuss "
        "related challenges and existing practices and exchange ideas on the development of "
        "the guidelines.",
        results="One key output is the development of guidelines for practitioners on this "
        "topic. The first draft was presented to the Working Group in June 2018.",
        next_steps="An extension of the seed funds will be used to translate the guidelines "
        "into all six official UN languages, as well as for printing and distribution.",
    ),
    # Submitted, never accepted (illustrative): waits for the secretariat in the demo.
    SeedReport(
        "border",
        date(2018, 7, 1),
        date(2018, 7, 9),
        None,
        activities="Illustrative draft, not accepted: preparations for the launch of the "
        "biometrics Compendium.",
        results="Illustrative draft, not accepted: no output to report yet.",
    ),
)


def spent_to_date(approved_budget: Decimal | None) -> Decimal:
    return ((approved_budget or Decimal(0)) * SPENT_SHARE).quantize(CENT)


KIND = ReportKind.PROGRESS
