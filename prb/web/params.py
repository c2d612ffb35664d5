"""Query-string values that are not a filter form's: page numbers and ids in links PRB
writes itself. A person types filters (a form says which were not understood); a page number
only comes from PRB's own links, so a malformed one is a damaged address: 400, with a
message, rather than a guess."""

from __future__ import annotations

from flask import abort, request

from prb.web.fields import parse_id

MAX_PAGE = 1_000_000  # far beyond any list; keeps OFFSET arithmetic within the integer


def page_number(name: str = "page") -> int:
    """The page asked for (1 when none is). Not ASCII digits from 1 to MAX_PAGE: 400."""
    raw = request.args.get(name, "")
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7) or not 1 <= int(raw) <= MAX_PAGE:
        abort(400, f"The page number must be a whole number from 1 to {MAX_PAGE:,}.")
    return int(raw)


def optional_id(name: str) -> int | None:
    """An id a link of PRB carries (e.g. the call a proposal is written for); None when
    absent. Not a record number: 400."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    try:
        return parse_id(raw)
    except ValueError:
        abort(400, f"The address is damaged: {name} is not a record number.")
