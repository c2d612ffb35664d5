"""Pages kept while the records are unchanged: the HTML below a page's heading, worked out
once and served again to the same viewer until any record changes (`prb.services.stamped`).
Reading, counting and writing a page's records was most of its time, and is the same for
every view of one viewer until something changes.

What is kept must depend on nothing but the records and its key. The key always holds the
viewer, where PRB is mounted, the address with its query and today's date (UTC; several
pages count days); a page adds what else it reads of the time. The session's CSRF token and
each form's one-time token are drawn per view: the kept HTML holds placeholders for them
(`marks`), and `kept` puts this view's in. Working a page out must not write; what it
flashes is kept with it and flashed again on every view."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import NamedTuple

from flask import current_app, flash, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from prb.models import utcnow
from prb.services import stamped
from prb.web.forms import new_once_token

# Both start with "<", which text written into a page never holds (it is escaped to
# "&lt;"): no title or comment can be mistaken for them.
CSRF_MARK = "<!--prb:csrf-->"
ONCE_MARK = "<!--prb:once-->"


def marks() -> dict[str, Markup]:
    """What a kept template writes for the tokens: `{{ csrf }}` in each form that posts,
    `value="{{ once }}"` for each one-time token."""
    return {"csrf": Markup(CSRF_MARK), "once": Markup(ONCE_MARK)}


class Kept(NamedTuple):
    """A page's part below its heading (HTML with `marks`), and what the page around it
    takes from the same work: its title and status."""

    body: str
    title: str = ""
    crumb: str = ""  # the page's own breadcrumb
    status: int = 200
    # When the page may change with the time alone, before the next day (a call opening or
    # closing): it is worked out afresh from then on.
    until: datetime | None = None
    # What working it out flashed ("some filters were not understood"): flashed again on
    # every view it serves.
    flashes: tuple[tuple[str, str], ...] = ()


def kept(page: str, render: Callable[[], Kept], *key: Hashable, size: int = 128) -> Kept:
    """`render()`, kept under `key` and what every key holds, with this view's tokens put
    in its body."""
    now = utcnow()
    full_key = (current_user.get_id(), request.script_root, request.full_path, now.date(), *key)

    def make() -> Kept:
        earlier = list(session.get("_flashes", []))
        made = render()
        flashed = session.get("_flashes", [])[len(earlier) :]
        if flashed:  # flashed below, on every view alike
            if earlier:
                session["_flashes"] = earlier
            else:
                session.pop("_flashes")
        return made._replace(flashes=tuple(tuple(f) for f in flashed))

    pages = stamped.cache(f"kept:{page}", size)
    found = pages.get_or_make(full_key, make)
    if found.until is not None and found.until <= now:
        pages.discard(full_key)
        found = pages.get_or_make(full_key, make)
    for category, message in found.flashes:
        flash(message, category)
    return found._replace(body=filled(found.body))


def filled(html: str) -> Markup:
    """`html` with the session's CSRF token in each form and a fresh one-time token in
    each place that takes one."""
    csrf = ""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf = f'<input name="csrf_token" type="hidden" value="{escape(generate_csrf())}">'
    parts = html.replace(CSRF_MARK, csrf).split(ONCE_MARK)
    return Markup(parts[0] + "".join(new_once_token() + part for part in parts[1:]))
