"""The report's 2018 year as docs/examples/portfolio-2018.csv and Exhibit V of the seed report
give it: the projects, the Board's sittings and the exhibit's rows, for
tests/unit/test_year_2018.py. Votes, members and budgets the report does not give are
illustrative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workflows import MeetingKind, VoteChoice

OUTPUT = "Outcome 4, Output 4.2"
NOTE = "subject to extension"
WMD_PERIOD = "March/April 2019–May/June 2020"

# Exhibit V, "Overview of 2018 seed projects" (seed report, lines ~148–160): code, what the
# exhibit prints in the project column (the working group for the 2017-73 rows, the title for
# -79-D), objective, duration, status, scope, results alignment. The report's typesetting
# drops the comma in "Outcome 4, Output 4.2" and prints a hyphen for the period's dash;
# PRB keeps the programme's output label and an en dash.
EXHIBIT_V = [
    (
        "UNCCT-2017-73-a",
        "Border Management and Law Enforcement Relating to Counter-Terrorism",
        "Raise awareness, increase knowledge and strengthen capability of Member States and "
        "relevant international and regional entities on collecting, recording and sharing of "
        "biometric information on terrorists, including foreign terrorist fighters at the "
        "international level, and through the establishment of a Compendium of existing good "
        "practices and recommendations",
        "12 months (subject to extension)",
        "Ongoing",
        "Global",
        OUTPUT,
    ),
    (
        "UNCCT-2017-73-d",
        "National and Regional Counter-Terrorism Strategies",
        "Develop national comprehensive and integrated counter-terrorism strategy in light of "
        "Security Council resolutions 1963 (2010) and 2129 (2013)",
        "12 months (subject to extension)",
        "Ongoing",
        "Global",
        OUTPUT,
    ),
    (
        "UNCCT-2017-73-h",
        "Protection of Critical Infrastructure Including Internet, Vulnerable Targets and "
        "Tourism Security",
        "Develop Guidelines and a Compendium of Good Practices on the protection of critical "
        "infrastructure against terrorist attacks",
        "12 months (subject to extension)",
        "Ongoing",
        "Global",
        OUTPUT,
    ),
    (
        "UNCCT-2017-73-i",
        "Communications",
        "Counter terrorist narratives through the development of good practices, "
        "recommendations for effective monitoring and evaluation and toolkit",
        "12 months (subject to extension)",
        "Ongoing",
        "Global",
        OUTPUT,
    ),
    (
        "UNCCT-2017-73-j",
        "Legal and Criminal Justice Responses to Terrorism",
        "Develop guidelines on the role of the military in supporting the collection, sharing "
        "and use of evidence for promoting rule of law and human rights compliant criminal "
        "justice responses to terrorism",
        "12 months (subject to extension)",
        "Ongoing",
        "Global",
        OUTPUT,
    ),
    (
        "UNCCT-2019-02-79-D",
        "Technology and Security: Enhancing Knowledge About Advances in Science and Technology "
        "to Combat WMD Terrorism",
        "Enhance knowledge and awareness of scientific and technological advances relevant to "
        "WMD terrorism through the preparation and dissemination of a research-based report",
        f"15 months ({WMD_PERIOD})",
        "Initiated",
        "Global",
        OUTPUT,
    ),
]
OBJECTIVES = {row[0]: row[2] for row in EXHIBIT_V}


@dataclass(frozen=True)
class Project:
    """One proposal of the year, from docs/examples/portfolio-2018.csv."""

    key: str
    programme: str
    group: str  # working group, by short name
    title: str
    lead: str
    implementing: tuple[str, ...]
    created: date
    start: date
    months: int
    code: str = ""  # empty: not approved in 2018
    committed_on: date | None = None
    actual_start: date | None = None
    disbursed: tuple[Decimal, date] | None = None  # the first tranche
    budget: Decimal = Decimal("150000.00")  # illustrative: the report gives only the envelope


GROUPS = {
    "Border": "Border Management and Law Enforcement relating to Counter-Terrorism",
    "Strategies": "National and Regional Counter-Terrorism Strategies",
    "Infrastructure": "Protection of Critical Infrastructure including Internet, Vulnerable "
    "Targets and Tourism Security",
    "Communications": "Communications",
    "Legal": "Legal and Criminal Justice Responses to Terrorism",
    "WMD": "Preventing and Responding to WMD Terrorist Attacks",
    "Victims": "Supporting and Highlighting Victims of Terrorism",
}
CHAIRS = {  # e-mail: (entity, groups chaired)
    "chair.cted@un.example": ("CTED", ("Border", "Infrastructure", "Communications", "Legal")),
    "chair.uncct@un.example": ("UNCCT", ("Strategies", "Victims")),
    "chair.unicri@un.example": ("UNICRI", ("WMD",)),
}
MEMBERS = {  # e-mail: entity (none leads or implements a 2018 project: nobody is recused)
    "board.undp@un.example": "UNDP",
    "board.ohchr@un.example": "OHCHR",
    "board.unhcr@un.example": "UNHCR",
}
ENTITY_CODES = ("CTED", "UNCCT", "UNICRI", "UNODA", "UNODC", "INTERPOL", *MEMBERS.values())

PROJECTS = [
    Project(
        "a",
        "73",
        "Border",
        "Border Management and Law Enforcement Relating to Counter-Terrorism",
        "CTED",
        (),
        date(2017, 11, 15),
        date(2018, 1, 1),
        12,
        "UNCCT-2017-73-a",
        date(2018, 1, 25),
        date(2018, 2, 1),
        (Decimal("100000.00"), date(2018, 2, 15)),
    ),
    Project(
        "d",
        "73",
        "Strategies",
        "Developing National Comprehensive and Integrated "
        "Counter-Terrorism Strategy in light of Security Council Resolutions 1963 (2010) and "
        "2129 (2013)",
        "UNCCT",
        (),
        date(2017, 11, 20),
        date(2018, 3, 1),
        12,
        "UNCCT-2017-73-d",
        date(2018, 2, 20),
        date(2018, 3, 1),
        (Decimal("75000.00"), date(2018, 3, 15)),
    ),
    Project(
        "j",
        "73",
        "Legal",
        "Development of Guidelines on the Role of the Military in "
        "Supporting the Collection, Sharing and Use of Evidence for Promoting Rule of Law and "
        "Human Rights Compliant Criminal Justice Responses to Terrorism",
        "CTED",
        ("UNODC",),
        date(2017, 12, 1),
        date(2018, 2, 1),
        12,
        "UNCCT-2017-73-j",
        date(2018, 1, 30),
        date(2018, 2, 5),
        (Decimal("75000.00"), date(2018, 2, 20)),
    ),
    Project(
        "h",
        "73",
        "Infrastructure",
        "Development of Guidelines and a Compendium of Good "
        "Practices on the Protection of Critical Infrastructure against Terrorist Attacks",
        "CTED",
        ("INTERPOL", "UNOCT"),
        date(2018, 2, 1),
        date(2018, 4, 1),
        12,
        "UNCCT-2017-73-h",
        date(2018, 3, 28),
        date(2018, 4, 9),
        (Decimal("75000.00"), date(2018, 4, 16)),
    ),
    Project(
        "i",
        "73",
        "Communications",
        "Countering Terrorist Narratives: Good Practices, "
        "Recommendations for Effective Monitoring and Evaluation and Toolkit",
        "CTED",
        ("UNCCT",),
        date(2018, 6, 1),
        date(2018, 9, 1),
        12,
        "UNCCT-2017-73-i",
        date(2018, 9, 5),
        date(2018, 11, 15),
        (Decimal("50000.00"), date(2018, 11, 20)),
    ),
    Project(
        "victims",
        "73",
        "Victims",
        "Supporting and Highlighting Victims of Terrorism",
        "UNCCT",
        (),
        date(2018, 10, 1),
        date(2019, 3, 1),
        12,
    ),
    # Approved on 11 December 2018; Exhibit V shows it Initiated, so its funds were committed
    # in 2018 (the CSV's 15 January 2019 would list it apart, as approved not initiated).
    Project(
        "D",
        "79",
        "WMD",
        "Technology and Security: Enhancing Knowledge About Advances in "
        "Science and Technology to Combat WMD Terrorism",
        "UNICRI",
        ("UNCCT", "UNODA"),
        date(2018, 11, 1),
        date(2019, 3, 1),
        15,
        "UNCCT-2019-02-79-D",
        date(2018, 12, 14),
        None,
        None,
        Decimal("200000.00"),
    ),
]
BY_KEY = {p.key: p for p in PROJECTS}
OBJECTIVES["victims"] = "Support and highlight victims of terrorism"


@dataclass(frozen=True)
class Sitting:
    number: str
    kind: str
    scheduled_on: date
    held_on: date  # a written procedure: the day its members vote (it closes at the last)
    items: dict[str, str]  # project key: how every member votes


SITTINGS = [  # the CSV's decision dates (its "PRB/WP/2018/03": numbers are PRB/yyyy/nn)
    Sitting(
        "PRB/2018/01",
        MeetingKind.MEETING,
        date(2018, 1, 2),
        date(2018, 1, 16),
        {"a": VoteChoice.APPROVE, "d": VoteChoice.APPROVE, "j": VoteChoice.APPROVE},
    ),
    Sitting(
        "PRB/2018/02",
        MeetingKind.MEETING,
        date(2018, 3, 5),
        date(2018, 3, 20),
        {"h": VoteChoice.APPROVE},
    ),
    Sitting(
        "PRB/2018/03",
        MeetingKind.WRITTEN_PROCEDURE,
        date(2018, 8, 10),
        date(2018, 8, 24),
        {"i": VoteChoice.APPROVE},
    ),
    # The victims proposal goes back to its chair at USD 150,000: "under consideration".
    Sitting(
        "PRB/2018/04",
        MeetingKind.MEETING,
        date(2018, 11, 26),
        date(2018, 12, 11),
        {"D": VoteChoice.APPROVE, "victims": VoteChoice.REQUEST_REVISION},
    ),
]
