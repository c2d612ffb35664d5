"""Hostile input in the query string of every GET route. The routes come from the route
map; the parameter names each view reads are found at run time, by a request class whose
`args` records every name looked up: a new route, filter field or `params.py` parameter is
covered without editing this test. Every hostile value of every kind goes to every name
found (a name's kind is unknown here): the answer is never a 500, a refusal carries a
message, and nothing is written."""

from __future__ import annotations

import functools
import itertools
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask, Request, current_app
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule
from werkzeug.utils import cached_property

from prb.extensions import db
from prb.models import OwnerKind
from prb.models.jobs import JobKind
from prb.services import attachments, jobs
from prb.services.accounts import password_links
from prb.services.files.checks import MB
from prb.services.files.storage import file_store
from prb.services.jobs import queue
from prb.services.jobs import reports as report_jobs
from tests import file_samples
from tests.web.test_hostile_input import (
    FILTERS,
    HOSTILE,
    PAGED,
    _route_map,
    clients,
    counts,
    hostile_world,
)
from workflows import Role

ANSWERS = {200, 304, 400, 404, 422}
VALUES = sorted({v for values in HOSTILE.values() for v in values})
# Sent while discovering: a name no view reads by name, so only a view that goes through
# every argument (copies them into its links, say) reads it, and then it is hostile-tested.
PROBE = "prb_probe"


class _Reads:
    """What the views of the current request looked up in `request.args`."""

    names: set[str] = set()
    iterated = False
    in_view = False  # the before_request hooks (the NUL check walks every value) are not views


class RecordingArgs(MultiDict[str, str]):
    """`request.args` that notes each name looked up; going through all of them counts as
    reading every name sent."""

    def _read(self, key: object) -> None:
        if _Reads.in_view and isinstance(key, str):
            _Reads.names.add(key)

    def _all(self) -> None:
        if _Reads.in_view:
            _Reads.iterated = True

    def __getitem__(self, key: str) -> str:
        self._read(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._read(key)
        return super().__contains__(key)

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:
        self._read(key)
        return super().get(key, default, type)  # type: ignore[call-overload]

    def getlist(self, key: str, type: Any = None) -> Any:
        self._read(key)
        return super().getlist(key, type)  # type: ignore[call-overload]

    def __iter__(self) -> Iterator[str]:
        self._all()
        return super().__iter__()

    def keys(self) -> Any:
        self._all()
        return super().keys()

    def values(self) -> Any:  # type: ignore[override]
        self._all()
        return super().values()

    def items(self, multi: bool = False) -> Any:  # type: ignore[override]
        self._all()
        return super().items(multi)

    def lists(self) -> Any:
        self._all()
        return super().lists()

    def listvalues(self) -> Any:
        self._all()
        return super().listvalues()

    def to_dict(self, flat: bool = True) -> Any:  # type: ignore[override]
        self._all()
        return super().to_dict(flat)

    def copy(self) -> Any:
        self._all()
        return super().copy()

    def deepcopy(self, memo: Any = None) -> Any:
        self._all()
        return super().deepcopy(memo)


class RecordingRequest(Request):
    @cached_property
    def args(self) -> RecordingArgs:  # type: ignore[override]
        # Only the query string: request.form (also a parameter_storage_class) is not watched.
        return RecordingArgs(super().args)


def _watched(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def watched(*args: Any, **kwargs: Any) -> Any:
        _Reads.in_view = True
        try:
            return view(*args, **kwargs)
        finally:
            _Reads.in_view = False

    return watched


def record_reads(app: Flask) -> None:
    app.request_class = RecordingRequest
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = _watched(view)


def get_rules(app: Flask) -> dict[str, Rule]:
    return {
        r.endpoint: r
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or ()) and r.endpoint != "static"
    }


def get_urls(app: Flask, rule: Rule, candidates: dict[str, list[object]]) -> list[str]:
    missing = sorted(set(rule.arguments) - set(candidates))
    assert missing == [], f"add a candidate for {missing} to query_world ({rule.rule})"
    names = sorted(rule.arguments)
    adapter = app.url_map.bind("localhost")
    return [
        adapter.build(rule.endpoint, dict(zip(names, values, strict=True)), method="GET")
        for values in itertools.product(*(candidates[n] for n in names))
    ]


def query_world(world):  # type: ignore[no-untyped-def]
    """The POST test's world, and the records only GET routes name."""
    people, candidates, pending_user = hostile_world(world)
    admin = people[Role.ADMINISTRATOR]
    link = password_links.issue_password_link(admin, world.finance.id, valid_for=timedelta(days=1))
    asked = report_jobs.asked(world.programme.id, 2018, date(2018, 12, 31))
    job = jobs.request(world.secretariat, JobKind.PORTFOLIO_CSV, asked)
    queue.run(job.id)  # prepared, so that its download answers with the file
    current_app.config["FILES_DIRECTORY"] = tempfile.mkdtemp(prefix="prb-query-files-")
    attachment = attachments.add_attachment(
        world.chair_a,
        OwnerKind.PROPOSAL,
        candidates["proposal_id"][0],
        filename="project document.pdf",
        data=file_samples.PDF,
        store=file_store(current_app.config, current_app.instance_path),
        max_size=MB,
    )
    # No minutes are finalised in this world: version 1 is a 404, which reads no argument.
    extra = {
        "token": [link.token],
        "job_id": [job.id],
        "version": [1],
        "attachment_id": [attachment.id],
    }
    return people, candidates | extra, pending_user


def _get(client: FlaskClient, url: str, query: dict[str, str]) -> tuple[int, str]:
    response = client.get(url, query_string=query)
    body = response.get_data().decode(errors="replace")  # a PDF is not text
    response.close()  # a CSV or PDF streams: end it before the next request
    db.session.rollback()
    return response.status_code, body


def rank(status: int) -> int:
    return 0 if status < 300 else 1 if status < 400 else 2


def discover(app: Flask, endpoint: str, people, candidates, pending_user):  # type: ignore[no-untyped-def]
    """The client and address that reach the view (the first with a page, else the first
    redirected, else the first tried), its answer, and the names the view read from the
    query string on any of those tried."""
    tried = list(
        itertools.product(
            clients(app, endpoint, people, pending_user),
            get_urls(app, get_rules(app)[endpoint], candidates),
        )
    )
    chosen: tuple[FlaskClient, str, int] | None = None
    names: set[str] = set()
    for client, url in tried:
        _Reads.names, _Reads.iterated = set(), False
        status, _ = _get(client, url, {PROBE: "1"})
        names |= _Reads.names | ({PROBE} if _Reads.iterated else set())
        if chosen is None or rank(status) < rank(chosen[2]):
            chosen = (client, url, status)
        if status < 300:
            break
    assert chosen is not None
    return chosen, names


# The names the hand tables of the POST test listed: discovery must find at least these.
FLOOR = {path: set(names) for path, names in FILTERS.items()}
for _path in PAGED:
    FLOOR.setdefault(_path, set()).add("page")
FLOOR["/proposals/new"] = {"call_id"}


@pytest.mark.parametrize("endpoint", sorted(get_rules(_route_map())))
def test_hostile_query_parameters_never_fail_and_write_nothing(app, world, endpoint) -> None:
    people, candidates, pending_user = query_world(world)
    record_reads(app)
    (client, url, discovered), names = discover(app, endpoint, people, candidates, pending_user)
    path = url.split("?")[0]
    assert FLOOR.get(path, set()) <= names, (endpoint, "discovery missed", FLOOR[path] - names)
    before = counts()
    # A name read only once another is present (a branch of the view) is found on the way
    # and tested as well: hostile values go to every name any of these requests read.
    pending, tested, sent_count = sorted(names), set(names), 0
    while pending:
        name = pending.pop()
        for value in VALUES:
            _Reads.names, _Reads.iterated = set(), False
            status, body = _get(client, url, {name: value})
            sent_count += 1
            sent = (endpoint, url, name, value, status)
            assert status in ANSWERS, sent
            if status >= 400:
                assert body.strip(), (*sent, "a refusal with no message")
            found = _Reads.names - tested
            pending += sorted(found)
            tested |= found
    print(f"\nQUERY {endpoint} {url} {discovered} reads {sorted(tested)} sent {sent_count}")
    assert counts() == before, (endpoint, "a GET wrote")
