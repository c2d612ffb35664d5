"""Demo data: what the seed document says, and what is illustrative (marked as such)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workflows import ProposalState, Role

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


@dataclass(frozen=True)
class ProgrammeData:
    code: str
    title: str
    start_year: int
    end_year: int
    envelope: Decimal
    note: str = ""


PROGRAMMES = [
    ProgrammeData(
        "UNCCT-2017-73",
        "Seed-Funding for Global Compact Working Group Projects",
        2017,
        2018,
        Decimal("1356000.00"),
    ),
    ProgrammeData(
        "UNCCT-2019-02",
        "Seed-Funding for Global Compact Working Group Projects 2019–2020",
        2019,
        2020,
        Decimal("1000000.00"),
        note="Illustrative: the report names project UNCCT-2019-02-79-D but not this "
        "programme's title or envelope.",
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
    description: str = ""
    thematic_area: str = ""
    scope: str = "Global"
    scope_detail: str = ""
    results_alignment: str = "Outcome 4, Output 4.2"
    data_note: str = ""


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
    ),
    ProposalData(
        "UNCCT-2019-02",
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
        duration_note="March/April 2019–May/June 2020",
        description="Implemented over 15 months by UNICRI within the framework of the Global "
        "Compact Working Group on Preventing and Responding to WMD Terrorist Attacks, in close "
        "cooperation with UNCCT, the Group of Experts of the 1540 Committee, OPCW and UNODA.",
        thematic_area="Preventing and responding to WMD attacks",
        data_note=_BUDGET_NOTE,
    ),
]

# Two illustrative proposals in progress, so every role has something to act on in the demo.
PROPOSALS += [
    ProposalData(
        "UNCCT-2019-02",
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
    ),
    ProposalData(
        "UNCCT-2019-02",
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
    ),
]
