"""What a page's markup must not do, read from its HTML: repeat an id, have a label that
names no control or a control of another form, or point aria-describedby at nothing.
Screen readers read a field's label and hint through these ids; a repeated id sends them
(and a click on the label) to the first element that carries it."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

_CONTROLS = {"input", "select", "textarea", "button"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.form_of_id: dict[str, int | None] = {}
        self.control_ids: set[str] = set()
        self.labels: list[tuple[str, int | None]] = []  # (for, form it sits in)
        self.described_by: list[str] = []
        self.forms = 0
        self.form: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms += 1
            self.form = self.forms
        element_id = attributes.get("id")
        if element_id:
            self.ids[element_id] += 1
            self.form_of_id.setdefault(element_id, self.form)
            if tag in _CONTROLS:
                self.control_ids.add(element_id)
        if tag == "label" and "for" in attributes:
            self.labels.append((attributes["for"], self.form))
        if attributes.get("aria-describedby"):
            self.described_by.extend(attributes["aria-describedby"].split())

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None


def markup_problems(page: str) -> list[str]:
    reader = _Reader()
    reader.feed(page)
    problems = [f"id {i!r} is used {n} times" for i, n in reader.ids.items() if n > 1]
    for target, form in reader.labels:
        if target not in reader.control_ids:
            problems.append(f"a label is for {target!r}, which is no control on the page")
        elif form is not None and reader.form_of_id[target] != form:
            problems.append(f"a label for {target!r} names a control of another form")
    problems += [
        f"aria-describedby names {target!r}, which is not on the page"
        for target in reader.described_by
        if target not in reader.ids
    ]
    return problems
