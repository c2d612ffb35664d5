"""Journeys through the product in a real browser (Debian's Chromium via Playwright)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prb.services.calendar import period_end
from tests import file_samples
from tests.e2e.conftest import flash, sign_in


def pdf_text(path: str) -> str:
    out = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def select_matching(select, text: str) -> None:  # type: ignore[no-untyped-def]
    options = select.locator("option")
    for i in range(options.count()):
        if text in options.nth(i).inner_text():
            select.select_option(options.nth(i).get_attribute("value"))
            return
    raise AssertionError(f"no option with {text!r}")


def long(d) -> str:  # type: ignore[no-untyped-def]
    return f"{d.day} {d:%B %Y}"


def test_journey_1_a_proposal_from_draft_to_completed_project(live, new_page, tmp_path):
    today = datetime.now(UTC).date()
    start = today.replace(day=1)
    end = period_end(start, 12)
    new_end = period_end(end + timedelta(days=1), 4)

    # A chair fills the form, first with mistakes, then correctly; saves; submits.
    chair = new_page()
    sign_in(chair, live, "chair.cted@prb.example")
    chair.get_by_role("link", name="New proposal").first.click()
    chair.get_by_label("Working group").select_option(
        label="Border Management and Law Enforcement relating to Counter-Terrorism"
    )
    chair.get_by_label("Requested budget (USD)").fill("-5")
    chair.get_by_label("Duration (months)").fill("99")
    chair.get_by_role("button", name="Save draft").first.click()
    assert "Give the proposal a title." in chair.content()
    assert "The requested budget must be more than USD 0." in chair.content()
    assert "The duration must be 1 to 60 months." in chair.content()
    assert chair.get_by_label("Duration (months)").input_value() == "99"  # kept
    chair.get_by_label("Title").fill("Biometrics Compendium: Translation and Printing")
    chair.get_by_label("Objective").fill("Translate and print the Compendium")
    chair.get_by_label("Description").fill("Leaflets in the six official languages.")
    chair.get_by_label("Thematic area").fill("Border management and law enforcement")
    chair.get_by_label("Results alignment").select_option(label="Outcome 4, Output 4.2")
    chair.get_by_label("Lead entity").select_option(
        label="CTED — Counter-Terrorism Committee Executive Directorate"
    )
    chair.get_by_label("Requested budget (USD)").fill("50000")
    chair.get_by_label("Duration (months)").fill("12")
    chair.get_by_label("Planned start").fill(start.isoformat())
    chair.get_by_role("button", name="Save draft").first.click()
    assert "was saved" in flash(chair)
    chair.get_by_role("button", name="Submit to the Board").click()
    assert "is now Submitted" in flash(chair)
    proposal_url = chair.url

    # The secretariat starts the review, schedules a meeting and puts it on the agenda.
    sec = new_page()
    sign_in(sec, live, "secretariat@prb.example")
    sec.goto(proposal_url)
    sec.get_by_role("button", name="Start Board review").click()
    assert "is now Under review" in flash(sec)
    sec.get_by_role("link", name="Board", exact=True).click()
    sec.get_by_role("link", name="Schedule a meeting or written procedure").click()
    # (PRB/<year>/01 is the demo's open meeting)
    sec.get_by_label("Number").fill(f"PRB/{today.year}/02")
    sec.get_by_label("Date", exact=True).fill(today.isoformat())
    sec.get_by_label("Place", exact=True).fill("virtual")
    sec.get_by_role("button", name="Schedule").click()
    assert "scheduled" in flash(sec)
    meeting_url = sec.url
    select_matching(sec.get_by_label("Proposal under review"), "Biometrics Compendium: Translation")
    sec.get_by_role("button", name="Add to the agenda").first.click()
    assert "added as item 1" in flash(sec)
    # Only members recorded present vote at a meeting: attendance before voting opens.
    for box in sec.locator("input[name=present]").all():
        box.check()
    sec.get_by_role("button", name="Save attendance").click()
    assert "Attendance saved." in flash(sec)

    # Three board members vote; the CTED member is recused automatically.
    for email in ("board.chair@prb.example", "board.undp@prb.example", "board.ohchr@prb.example"):
        member = new_page()
        sign_in(member, live, email)
        assert (
            "Biometrics Compendium: Translation"
            in member.locator("#awaiting-title + *").inner_text()
        )
        member.goto(meeting_url)
        member.get_by_label("Approve").check()
        member.get_by_role("button", name="Cast my vote").click()
        assert "Your vote is recorded: Approve." in flash(member)
    recused = new_page()
    sign_in(recused, live, "board.cted@prb.example")
    recused.goto(meeting_url)
    assert "You are recused from this item: CTED is the lead entity" in recused.content()

    # The secretariat closes the item: approved, with a project code.
    sec.goto(meeting_url)
    sec.get_by_text("Close voting on this item").click()
    sec.get_by_role("button", name="Close voting and record the decision").click()
    assert "Decision recorded: Approved (3 for" in flash(sec)
    sec.goto(proposal_url)
    code = sec.locator("h1 .code").inner_text()
    assert code == "UNCCT-2019-02-79-E"  # upper-case letters, after the demo's -D

    # Finance commits and disburses, and starts the project.
    fin = new_page()
    sign_in(fin, live, "finance@prb.example")
    fin.goto(proposal_url)
    fin.get_by_role("link", name="Finance, ledger and extensions").click()
    finance_url = fin.url

    def record(kind: str, amount: str) -> None:
        fin.get_by_label("Kind of entry").select_option(kind)
        fin.get_by_label("Amount (USD)").fill(amount)
        fin.get_by_label("Date", exact=True).fill(today.isoformat())
        fin.get_by_role("button", name="Record entry").click()
        assert "recorded" in flash(fin), fin.content()[:2000]

    record("commitment", "50000.00")
    fin.goto(proposal_url)
    fin.get_by_role("button", name="Mark initiated").click()
    assert "is now Initiated" in flash(fin)
    fin.goto(finance_url)
    record("disbursement", "50000.00")
    fin.get_by_label("Actual start").fill(today.isoformat())
    fin.get_by_role("button", name="Save project dates").click()
    fin.goto(proposal_url)
    fin.get_by_role("button", name="Mark ongoing").click()
    assert "is now Ongoing" in flash(fin)

    # The chair requests a four-month extension; finance reviews it.
    chair.goto(finance_url)
    chair.get_by_label("Extension (months)").fill("4")
    chair.get_by_label("Justification").fill("Printing takes longer than planned.")
    chair.get_by_role("button", name="Request the extension").click()
    assert f"4 months from {long(end + timedelta(days=1))} to {long(new_end)}" in flash(chair)
    fin.goto(finance_url)
    fin.get_by_label("Finance review").fill("No additional funds needed.")
    fin.get_by_role("button", name="Save the review").click()
    assert "Review saved" in flash(fin)

    # The Board approves it by written procedure: it closes when all eligible have voted.
    sec.get_by_role("link", name="Board", exact=True).click()
    sec.get_by_role("link", name="Schedule a meeting or written procedure").click()
    sec.get_by_label("Number").fill(f"PRB/{today.year}/03")
    sec.get_by_label("Kind").select_option("written_procedure")
    sec.get_by_label("Date", exact=True).fill(today.isoformat())
    deadline = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    sec.get_by_label("Deadline (UTC)").fill(deadline)
    sec.get_by_role("button", name="Schedule").click()
    procedure_url = sec.url
    select_matching(sec.get_by_label("Extension request"), code)
    sec.locator("#add-extension").click()
    assert "added as item 1" in flash(sec)
    for email in ("board.chair@prb.example", "board.undp@prb.example", "board.ohchr@prb.example"):
        member = new_page()
        sign_in(member, live, email)
        member.goto(procedure_url)
        member.get_by_label("Approve").check()
        member.get_by_role("button", name="Cast my vote").click()
    sec.goto(procedure_url)
    assert "Decision: Approved" in sec.locator("main").inner_text()

    # Finance sees the new end date; the project completes after the final report.
    fin.goto(live.url + "/finance/")
    row = fin.locator("tr", has_text=code)
    assert long(new_end) in row.inner_text()
    # The chair submits the final report from the project's page; the secretariat accepts
    # it, which records the amount spent that the balance is settled against.
    chair.goto(proposal_url)
    chair.locator("tr", has_text="Final report").get_by_role("link", name="Submit").click()
    chair.get_by_label("Activities").fill("Guidelines printed and distributed.")
    chair.get_by_label("Results against the outputs").fill("Output 4.2 delivered.")
    chair.get_by_label("Spent to date (USD)").fill("50000.00")
    chair.get_by_label("Unspent balance (USD)").fill("0.00")
    statement = tmp_path / "Relevé financier final.pdf"
    statement.write_bytes(file_samples.PDF)
    chair.get_by_label("Supporting document (optional)").set_input_files(str(statement))
    chair.get_by_role("button", name="Submit the report").click()
    assert "Final report submitted" in flash(chair)
    sec.goto(proposal_url)
    sec.locator("tr", has_text="Final report").get_by_role("link", name="Submitted").click()
    # The secretariat reads the report with its file before accepting it.
    files = sec.locator("#files")
    assert hashlib.sha256(file_samples.PDF).hexdigest() in files.inner_text()
    with sec.expect_download() as download:
        files.get_by_role("link", name="Relevé financier final.pdf").click()
    assert Path(download.value.path()).read_bytes() == file_samples.PDF
    sec.get_by_role("button", name="Accept").click()
    assert "is now Accepted" in flash(sec)
    fin.goto(proposal_url)
    fin.get_by_role("button", name="Mark completed").click()
    assert "is now Completed" in flash(fin)

    # The secretariat finalises both records and downloads the final minutes.
    texts = []
    for url in (meeting_url, procedure_url):
        sec.goto(url)
        sec.get_by_role("button", name="Finalise the minutes").click()
        assert "finalised and signed" in flash(sec)
        with sec.expect_download() as download:
            sec.get_by_role("link", name=re.compile(r"^PDF \(")).click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        texts.append(pdf_text(str(target)))
    approval, extension = texts
    assert f"{code} — Biometrics Compendium: Translation and Printing" in approval
    assert "Decision Approved" in approval and "Approved budget USD 50,000.00" in approval
    assert f"12 months, {long(start)} to {long(end)}" in approval
    assert "Months granted 4" in extension and f"New end date {long(new_end)}" in extension
    assert "No-cost extension" in extension


def test_journey_2_refusals_as_a_user_sees_them(live, new_page):
    # A member tries to vote twice from two tabs.
    member = new_page()
    sign_in(member, live, "board.undp@prb.example")
    # the demo's open meeting, held today
    member.get_by_role("link", name=f"PRB/{datetime.now(UTC).year}/01, item 1").click()
    meeting_url = member.url
    second_tab = member.context.new_page()
    second_tab.goto(meeting_url)
    member.get_by_label("Approve").check()
    member.get_by_role("button", name="Cast my vote").click()
    assert "Your vote is recorded: Approve." in flash(member)
    second_tab.get_by_label("Reject").check()
    second_tab.get_by_role("button", name="Cast my vote").click()
    assert "You have already voted on this item (Approve)" in flash(second_tab)
    assert "Your vote: Approve" in second_tab.content()

    # A chair opens another group's draft by URL.
    owner = new_page()
    sign_in(owner, live, "chair.cted@prb.example")
    owner.get_by_role("link", name="P-00011").first.click()  # the demo's draft
    draft_url = owner.url
    other = new_page()
    sign_in(other, live, "chair.unicri@prb.example")
    response = other.goto(draft_url)
    assert response.status == 404
    assert "There is no proposal number 11 that you can see." in other.content()

    # An over-budget disbursement.
    fin = new_page()
    sign_in(fin, live, "finance@prb.example")
    fin.goto(live.url + "/finance/")
    fin.get_by_role("link", name="UNCCT-2017-73-d").click()
    fin.get_by_label("Kind of entry").select_option("disbursement")
    fin.get_by_label("Amount (USD)").fill("70000.00")
    fin.get_by_label("Date", exact=True).fill(datetime.now(UTC).date().isoformat())
    fin.get_by_role("button", name="Record entry").click()
    assert "would exceed the USD 150,000.00 committed by USD 10,000.00" in fin.content()
    assert fin.get_by_label("Amount (USD)").input_value() == "70000.00"
    ledger = fin.locator("section", has=fin.locator("#ledger-title")).locator("table")
    assert "USD 70,000.00" not in ledger.inner_text()
    assert ledger.locator("tbody tr").count() == 2  # the demo's commitment and first tranche

    # A lost race: two tabs of the secretariat act on the same proposal.
    sec = new_page()
    sign_in(sec, live, "secretariat@prb.example")
    sec.get_by_role("link", name="P-00012").first.click()
    tab2 = sec.context.new_page()
    tab2.goto(sec.url)
    sec.get_by_role("button", name="Start Board review").click()
    assert "is now Under review" in flash(sec)
    tab2.get_by_role("button", name="Start Board review").click()
    assert "changed while you were looking at it: it is now Under review" in flash(tab2)
    assert tab2.locator(".timeline li", has_text="Submitted → Under review").count() == 1
