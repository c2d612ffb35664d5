"""Demo data: what the seed document says, and what is illustrative (marked as such)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from prb.models.reference import CodeStyle
from workflows import MeetingKind, ProposalState, Role

S = ProposalState

ENTITIES: list[tuple[str, str]] = [
    ("UNOCT", "United Nations Office of Counter-Terrorism"),
    ("UNCCT", "United Nations Counter-Terrorism Centre"),
    ("CTED", "Counter-Terrorism Committee Executive Directorate"),
    ("UNODC", "United Nations Office on Drugs and Crime"),
    ("UNICRI", "United Nations Interregional Crime and Justice Research Institute"),
    ("UN Women", "United Nations Entity for Gender Equality and the Empowerment of Women"),
    ("UNDP", "United Nations Development Programme"),
    ("UNESCO", "United Nations Educational, Scientific and Cultural Organization"),
    ("OHCHR", "Office of the United Nations High Commissioner for Human Rights"),
    ("ICAO", "International Civil Aviation Organization"),
    ("IOM", "International Organization for Migration"),
    ("INTERPOL", "International Criminal Police Organization"),
    ("UNOWAS", "United Nations Office for West Africa and the Sahel"),
    ("UNODA", "United Nations Office for Disarmament Affairs"),
    ("DPO", "Department of Peace Operations"),
    ("UNAOC", "United Nations Alliance of Civilizations"),
]

# The 12 Global Compact working groups (2018): full name, short name.
WORKING_GROUPS: list[tuple[str, str]] = [
    ("Border Management and Law Enforcement relating to Counter-Terrorism", "Border Management"),
    ("National and Regional Counter-Terrorism Strategies", "CT Strategies"),
    (
        "Protection of Critical Infrastructure including Internet, Vulnerable Targets and "
        "Tourism Security",
        "Critical Infrastructure",
    ),
    ("Communications", "Communications"),
    ("Legal and Criminal Justice Responses to Terrorism", "Legal & Criminal Justice"),
    ("Preventing and Responding to WMD Terrorist Attacks", "WMD"),
    (
        "Promoting and Protecting Human Rights and the Rule of Law while Countering Terrorism",
        "Human Rights",
    ),
    ("Countering the Financing of Terrorism", "Financing of Terrorism"),
    (
        "Adopting a Gender-Sensitive Approach to Preventing and Countering Terrorism",
        "Gender",
    ),
    ("Supporting and Highlighting Victims of Terrorism", "Victims of Terrorism"),
    ("Preventing Violent Extremism", "PVE"),
    ("Resource Mobilization, Monitoring and Evaluation", "Resource Mobilization"),
]


OFFICE_ENTITY = ("UNOCT", "United Nations Office of Counter-Terrorism")
# The line under the office's name on the minutes: the centre whose Board this is.
OFFICE_UNIT = "United Nations Counter-Terrorism Centre"
# The Working Group the report says was newly created at the end of 2018.
RESOURCE_MOBILIZATION = "Resource Mobilization"


@dataclass(frozen=True)
class CallData:
    title: str
    opens_on: date
    # None: open for a year from the day the demo is loaded (so the demo's chairs can submit).
    closes_at: datetime | None
    groups: tuple[str, ...] = ()  # working-group short names; () = every group there is
    guidance: str = ""


@dataclass(frozen=True)
class ProgrammeData:
    code: str
    title: str
    start_year: int
    end_year: int
    envelope: Decimal
    created_on: date
    code_style: str = CodeStyle.LOWER
    first_letter: str = "a"
    outputs: tuple[str, ...] = ("Outcome 4, Output 4.1", "Outcome 4, Output 4.2")
    calls: tuple[CallData, ...] = ()
    note: str = ""


_GUIDANCE = (
    "Seed funding incentivises the Working Groups' joint projects within their Annual Work "
    "Plans. Give the objective, the lead and implementing entities, the budget in US dollars "
    "and the duration; align the project to an output of the UNCCT results framework."
)

PROGRAMMES = [
    ProgrammeData(
        "UNCCT-2017-73",
        "Seed-Funding for Global Compact Working Group Projects",
        2017,
        2018,
        Decimal("1356000.00"),
        created_on=date(2017, 10, 2),
        calls=(
            CallData(
                "Seed funding 2017–2018",
                date(2017, 10, 16),
                datetime(2018, 10, 31, 17, 0, tzinfo=UTC),
                guidance=_GUIDANCE,
            ),
        ),
    ),
    ProgrammeData(
        "UNCCT-2019-02-79",
        "Seed-Funding for Global Compact Working Group Projects 2019–2020",
        2019,
        2020,
        Decimal("1000000.00"),
        created_on=date(2018, 10, 1),
        code_style=CodeStyle.UPPER,
        first_letter="D",
        calls=(
            CallData(
                "Seed funding 2019–2020: first call",
                date(2018, 10, 15),
                datetime(2018, 11, 15, 17, 0, tzinfo=UTC),
                guidance=_GUIDANCE,
            ),
            CallData("Seed funding 2019–2020: second call", date(2019, 1, 15), None, (), _GUIDANCE),
        ),
        note="Illustrative: the report names project UNCCT-2019-02-79-D but not this "
        "programme's title or envelope; its codes start at D as the report's does.",
    ),
]

DEMO_PASSWORD = "prb-demo-password"


@dataclass(frozen=True)
class UserData:
    email: str
    name: str
    entity: str
    roles: tuple[Role, ...]
    chairs: tuple[str, ...] = ()  # working-group short names
    board_chair: bool = False


ADMINISTRATOR = UserData("admin@prb.example", "Olena Kovalenko", "UNOCT", (Role.ADMINISTRATOR,))

USERS = [
    UserData("secretariat@prb.example", "Nadia Haddad", "UNOCT", (Role.SECRETARIAT,)),
    UserData(
        "board.chair@prb.example",
        "Jean-François Lefèvre",
        "UNOCT",
        (Role.BOARD_MEMBER,),
        board_chair=True,
    ),
    UserData("board.cted@prb.example", "Ingrid Svensson", "CTED", (Role.BOARD_MEMBER,)),
    UserData("board.undp@prb.example", "Kwame Mensah", "UNDP", (Role.BOARD_MEMBER,)),
    UserData("board.ohchr@prb.example", "María José Gonçalves", "OHCHR", (Role.BOARD_MEMBER,)),
    UserData("finance@prb.example", "Li Wei", "UNOCT", (Role.FINANCE,)),
    UserData(
        "chair.cted@prb.example",
        "Amina Diallo",
        "CTED",
        (Role.CHAIR,),
        chairs=("Border Management", "Communications", "Legal & Criminal Justice"),
    ),
    UserData("chair.unicri@prb.example", "Paolo Rossi", "UNICRI", (Role.CHAIR,), chairs=("WMD",)),
    UserData(
        "chair.victims@prb.example",
        "Sofía Ramírez",
        "UNOCT",
        (Role.CHAIR,),
        chairs=("Victims of Terrorism", "CT Strategies", "Critical Infrastructure"),
    ),
    UserData(
        "chair.ohchr@prb.example",
        "Fatima Al-Zahra",
        "OHCHR",
        (Role.CHAIR,),
        chairs=("Human Rights", "Gender", "Financing of Terrorism"),
    ),
]


@dataclass(frozen=True)
class ProposalData:
    programme: str
    working_group: str  # short name
    title: str
    objective: str
    lead: str
    status: ProposalState
    chair_email: str
    created: date
    requested_budget: Decimal
    duration_months: int
    planned_start: date
    project_code: str | None = None
    implementing: tuple[str, ...] = ()
    duration_note: str = "subject to extension"
    # Set by the secretariat as a reporting note once the Board approved the project.
    period_text: str = ""
    description: str = ""
    thematic_area: str = ""
    scope: str = "Global"
    scope_detail: str = ""
    results_alignment: str = "Outcome 4, Output 4.2"
    data_note: str = ""
    key: str = ""  # how the demo's meeting plans name it
    committed_on: date | None = None  # finance commits the budget (initiated, ongoing)
    # Approved with the code typed by the secretariat: the report's letters skip f and g.
    code_typed: bool = False


_BUDGET_NOTE = "Budget illustrative: the report gives only the programme's total envelope."
_STUB_NOTE = (
    "Illustrative: the report counts nine approved proposals, one in this thematic area, "
    "but gives no title, code or budget for it."
)
_CTED = "chair.cted@prb.example"

PROPOSALS: list[ProposalData] = [
    ProposalData(
        "UNCCT-2017-73",
        "Border Management",
        "Border Management and Law Enforcement Relating to Counter-Terrorism",
        "Raise awareness, increase knowledge and strengthen capability of Member States and "
        "relevant international and regional entities on collecting, recording and sharing of "
        "biometric information on terrorists, including foreign terrorist fighters at the "
        "international level, and through the establishment of a Compendium of existing good "
        "practices and recommendations",
        "CTED",
        S.ONGOING,
        _CTED,
        date(2017, 11, 15),
        Decimal("150000.00"),
        12,
        date(2018, 1, 1),
        project_code="UNCCT-2017-73-a",
        description="With UNCCT seed funding and under the Global Compact Working Group on "
        "Border Management and Law Enforcement related to Counter-Terrorism, chaired by CTED, "
        "a Compendium of recommended practices for the responsible use and sharing of "
        "biometrics in counter-terrorism was developed in association with the Biometrics "
        "Institute and released in June 2018. A four-month extension of the seed funds from "
        "1 January 2019 will be used to produce and print a leaflet of the Compendium and "
        "have it translated into all official UN languages.",
        thematic_area="Border management and law enforcement",
        data_note=_BUDGET_NOTE + " Start date illustrative (the report gives the extension "
        "from 1 January 2019).",
        key="border",
        committed_on=date(2018, 1, 15),
    ),
    ProposalData(
        "UNCCT-2017-73",
        "CT Strategies",
        "Developing National Comprehensive and Integrated Counter-Terrorism Strategy in light "
        "of Security Council Resolutions 1963 (2010) and 2129 (2013)",
        "Develop national comprehensive and integrated counter-terrorism strategy in light of "
        "Security Council resolutions 1963 (2010) and 2129 (2013)",
        "UNCCT",
        S.ONGOING,
        "chair.victims@prb.example",
        date(2017, 11, 20),
        Decimal("150000.00"),
        12,
        date(2018, 3, 1),
        project_code="UNCCT-2017-73-d",
        description="Advises and supports requesting Member States on the steps to develop a "
        "comprehensive and integrated counter-terrorism strategy, through the temporary on-site "
        "presence or visit by qualified experts. In 2018 an expert consultant was engaged to "
        "support the Government of Iraq.",
        thematic_area="National and regional counter-terrorism strategies",
        scope_detail="",
        data_note=_BUDGET_NOTE + " Start date illustrative.",
        key="strategies",
        committed_on=date(2018, 2, 20),
    ),
    ProposalData(
        "UNCCT-2017-73",
        "Critical Infrastructure",
        "Development of Guidelines and a Compendium of Good Practices on the Protection of "
        "Critical Infrastructure against Terrorist Attacks",
        "Develop Guidelines and a Compendium of Good Practices on the protection of critical "
        "infrastructure against terrorist attacks",
        "CTED",
        S.ONGOING,
        "chair.victims@prb.example",
        date(2017, 11, 20),
        Decimal("150000.00"),
        12,
        date(2018, 1, 15),
        project_code="UNCCT-2017-73-h",
        implementing=("INTERPOL", "UNOCT"),
        description="Developed and published the Compendium of Good Practices for the "
        "Protection of Critical Infrastructures against Terrorist Attacks in June 2018, in "
        "compliance with Security Council resolution 2341 (2017).",
        thematic_area="Protection of critical infrastructure",
        data_note=_BUDGET_NOTE + " Lead and implementing entities and start date illustrative.",
        key="critical_infra",
        committed_on=date(2018, 1, 20),
        code_typed=True,
    ),
    ProposalData(
        "UNCCT-2017-73",
        "Communications",
        "Countering Terrorist Narratives: Good Practices, Recommendations for Effective "
        "Monitoring and Evaluation and Toolkit",
        "Counter terrorist narratives through the development of good practices, "
        "recommendations for effective monitoring and evaluation and toolkit",
        "CTED",
        S.ONGOING,
        _CTED,
        date(2018, 6, 1),
        Decimal("150000.00"),
        12,
        date(2018, 9, 1),
        project_code="UNCCT-2017-73-i",
        implementing=("UNCCT",),
        description="Implemented by CTED within the scope of the Global Compact Working Group "
        "on Communications, in consultation with UNCCT, to support Member States in the "
        "implementation of Security Council resolution 2354 (2017). The Programme Review Board "
        "approved the project in August 2018.",
        thematic_area="Communications",
        data_note=_BUDGET_NOTE + " Start date illustrative.",
        key="communications",
        committed_on=date(2018, 9, 3),
        code_typed=True,
    ),
    ProposalData(
        "UNCCT-2017-73",
        "Legal & Criminal Justice",
        "Development of Guidelines on the Role of the Military in Supporting the Collection, "
        "Sharing and Use of Evidence for Promoting Rule of Law and Human Rights Compliant "
        "Criminal Justice Responses to Terrorism",
        "Develop guidelines on the role of the military in supporting the collection, sharing "
        "and use of evidence for promoting rule of law and human rights compliant criminal "
        "justice responses to terrorism",
        "CTED",
        S.ONGOING,
        _CTED,
        date(2017, 12, 1),
        Decimal("150000.00"),
        12,
        date(2018, 1, 1),
        project_code="UNCCT-2017-73-j",
        implementing=("UNODC",),
        description="Led by CTED and UNODC with the member entities of the Working Group on "
        "Legal and Criminal Justice Responses to Terrorism, with financial support from the "
        "Government of Switzerland in addition to the seed funding, in collaboration with the "
        "International Centre for Counter-Terrorism – The Hague.",
        thematic_area="Legal and criminal justice responses",
        data_note=_BUDGET_NOTE + " Start date illustrative.",
        key="legal",
        committed_on=date(2018, 1, 15),
        code_typed=True,
    ),
    ProposalData(
        "UNCCT-2017-73",
        "Human Rights",
        "Human Rights and the Rule of Law while Countering Terrorism (seed project)",
        "Promote and protect human rights and the rule of law while countering terrorism",
        "OHCHR",
        S.APPROVED,
        "chair.ohchr@prb.example",
        date(2017, 12, 5),
        Decimal("150000.00"),
        12,
        date(2019, 1, 1),
        project_code="UNCCT-2017-73-b",
        thematic_area="Promotion and protection of human rights and the rule of law",
        description=_STUB_NOTE,
        data_note=_STUB_NOTE,
        key="human_rights",
        committed_on=None,
    ),
    ProposalData(
        "UNCCT-2017-73",
        "Financing of Terrorism",
        "Countering the Financing of Terrorism (seed project)",
        "Strengthen Member States' capacity to counter the financing of terrorism",
        "UNODC",
        S.APPROVED,
        "chair.ohchr@prb.example",
        date(2017, 12, 5),
        Decimal("150000.00"),
        12,
        date(2019, 1, 1),
        project_code="UNCCT-2017-73-c",
        thematic_area="Countering the financing of terrorism",
        description=_STUB_NOTE,
        data_note=_STUB_NOTE,
        key="financing",
        committed_on=None,
    ),
    ProposalData(
        "UNCCT-2017-73",
        "Gender",
        "Gender-Sensitive Approach to Preventing and Countering Terrorism (seed project)",
        "Mainstream a gender-sensitive approach into preventing and countering terrorism",
        "UN Women",
        S.APPROVED,
        "chair.ohchr@prb.example",
        date(2017, 12, 5),
        Decimal("150000.00"),
        12,
        date(2019, 1, 1),
        project_code="UNCCT-2017-73-e",
        thematic_area="Gender-sensitive approach to preventing and countering terrorism",
        description=_STUB_NOTE,
        data_note=_STUB_NOTE,
        key="gender",
        committed_on=None,
    ),
    ProposalData(
        "UNCCT-2017-73",
        "Victims of Terrorism",
        "Supporting and Highlighting Victims of Terrorism (seed project)",
        "Support and highlight victims of terrorism",
        "UNOCT",
        S.UNDER_REVIEW,
        "chair.victims@prb.example",
        date(2018, 10, 1),
        Decimal("156000.00"),
        12,
        date(2019, 3, 1),
        duration_note="",
        thematic_area="Supporting and highlighting victims of terrorism",
        description="A proposal in the area of supporting and highlighting victims of "
        "terrorism is under consideration by the Programme Review Board.",
        data_note="The report says this proposal is under consideration; title, objective and "
        "budget are illustrative.",
        key="victims",
    ),
    ProposalData(
        "UNCCT-2019-02-79",
        "WMD",
        "Technology and Security: Enhancing Knowledge About Advances in Science and Technology "
        "to Combat WMD Terrorism",
        "Enhance knowledge and awareness of scientific and technological advances relevant to "
        "WMD terrorism through the preparation and dissemination of a research-based report",
        "UNICRI",
        S.INITIATED,
        "chair.unicri@prb.example",
        date(2018, 11, 1),
        Decimal("200000.00"),
        15,
        date(2019, 3, 1),
        project_code="UNCCT-2019-02-79-D",
        implementing=("UNCCT", "UNODA"),
        duration_note="",
        period_text="March/April 2019–May/June 2020",
        description="Implemented over 15 months by UNICRI within the framework of the Global "
        "Compact Working Group on Preventing and Responding to WMD Terrorist Attacks, in close "
        "cooperation with UNCCT, the Group of Experts of the 1540 Committee, OPCW and UNODA.",
        thematic_area="Preventing and responding to WMD attacks",
        data_note=_BUDGET_NOTE,
        key="wmd",
        committed_on=date(2018, 12, 10),
    ),
]

# Two illustrative proposals in progress, so every role has something to act on in the demo.
PROPOSALS += [
    ProposalData(
        "UNCCT-2019-02-79",
        "Border Management",
        "Biometrics Compendium: Regional Workshops for the G5 Sahel (draft)",
        "Train border and law-enforcement officials of the G5 Sahel countries on the "
        "recommended practices of the biometrics Compendium",
        "CTED",
        S.DRAFT,
        _CTED,
        date(2019, 1, 20),
        Decimal("90000.00"),
        9,
        date(2019, 6, 1),
        implementing=("UNCCT", "IOM"),
        duration_note="",
        scope="Regional",
        scope_detail="G5 Sahel: Burkina Faso, Chad, Mali, Mauritania, Niger",
        thematic_area="Border management and law enforcement",
        data_note="Illustrative demo proposal, not from the report.",
        key="g5_sahel",
        committed_on=None,
    ),
    ProposalData(
        "UNCCT-2019-02-79",
        "WMD",
        "Risk Scenarios Workshop on Emerging Technologies and WMD Terrorism",
        "Test the report's risk scenarios with operational experts in two regional workshops",
        "UNICRI",
        S.SUBMITTED,
        "chair.unicri@prb.example",
        date(2019, 2, 1),
        Decimal("60000.00"),
        6,
        date(2019, 9, 1),
        implementing=("UNODA",),
        duration_note="",
        thematic_area="Preventing and responding to WMD attacks",
        description="Two regional workshops in which operational experts of the Working "
        "Group review the risk scenarios of the technology and security report.",
        data_note="Illustrative demo proposal, not from the report.",
        key="risk_scenarios",
        committed_on=None,
    ),
]

# Seats on the Board since the office began using PRB: (e-mail, chairs the Board).
BOARD_SEATS: list[tuple[str, bool]] = [
    (u.email, u.board_chair) for u in USERS if Role.BOARD_MEMBER in u.roles
]


@dataclass(frozen=True)
class MeetingPlan:
    """A Board meeting or written procedure of the demo year, and how it went."""

    number: str
    kind: MeetingKind
    scheduled_on: date
    held_on: date
    place: str
    items: tuple[str, ...]  # proposal keys, in agenda order
    present: tuple[str, ...] = ()  # e-mails of members present (meetings)
    # (proposal key, member e-mail, choice, comment); empty: the meeting is still open
    votes: tuple[tuple[str, str, str, str], ...] = ()
    deadline: date | None = None  # written procedure: voting closes at 17:00 UTC
    minutes_on: date | None = None
    live: bool = False  # happens on the real clock (the meeting the demo leaves open)


def _recused(member_email: str, key: str) -> bool:
    """The Board's own rule (a member does not vote on her entity's project), so that the
    plans below list only votes the members may cast."""
    entity = next(u.entity for u in USERS if u.email == member_email)
    proposal = next(p for p in PROPOSALS if p.key == key)
    return entity == proposal.lead or entity in proposal.implementing


def _votes(
    keys: tuple[str, ...], members: tuple[str, ...], otherwise: dict[tuple[str, str], str]
) -> tuple[tuple[str, str, str, str], ...]:
    """Every eligible member's vote on every item: approve, unless `otherwise` says."""
    return tuple(
        (key, member, otherwise.get((key, member), "approve"), "")
        for key in keys
        for member in members
        if not _recused(member, key)
    )


_MEMBERS = tuple(email for email, _ in BOARD_SEATS)
_FIRST = ("border", "human_rights", "financing", "strategies", "gender", "critical_infra", "legal")


def meeting_plans() -> list[MeetingPlan]:
    """The demo year: illustrative dates, except where the report gives them (the
    Communications project approved in August 2018)."""
    today = datetime.now(UTC).date()
    return [
        MeetingPlan(
            "PRB/2018/01",
            MeetingKind.MEETING,
            scheduled_on=date(2017, 12, 20),
            held_on=date(2018, 1, 10),
            place="New York",
            items=_FIRST,
            present=_MEMBERS,
            votes=_votes(
                _FIRST,
                _MEMBERS,
                {
                    ("gender", "board.undp@prb.example"): "abstain",
                    ("financing", "board.ohchr@prb.example"): "request_revision",
                },
            ),
            minutes_on=date(2018, 1, 17),
        ),
        MeetingPlan(
            "PRB/2018/02",
            MeetingKind.MEETING,
            scheduled_on=date(2018, 7, 30),
            held_on=date(2018, 8, 16),
            place="New York (and by video link)",
            items=("communications",),
            # The OHCHR member sent her apologies: absent members do not vote.
            present=tuple(m for m in _MEMBERS if m != "board.ohchr@prb.example"),
            votes=_votes(
                ("communications",),
                tuple(m for m in _MEMBERS if m != "board.ohchr@prb.example"),
                {},
            ),
            minutes_on=date(2018, 8, 23),
        ),
        MeetingPlan(
            "PRB/2018/03",
            MeetingKind.WRITTEN_PROCEDURE,
            scheduled_on=date(2018, 11, 19),
            held_on=date(2018, 11, 19),
            place="",
            items=("wmd",),
            votes=_votes(("wmd",), _MEMBERS, {}),
            deadline=date(2018, 12, 3),
            minutes_on=date(2018, 12, 4),
        ),
        # Held today, still open: the demo's board members vote at it.
        MeetingPlan(
            f"PRB/{today.year}/01",
            MeetingKind.MEETING,
            scheduled_on=today,
            held_on=today,
            place="New York",
            items=("victims",),
            present=_MEMBERS,
            live=True,
        ),
    ]
