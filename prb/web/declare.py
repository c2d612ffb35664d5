"""What a POST view reads: the form classes it parses, declared on the view so that a test
can enumerate every field of every route from the application itself (the route map and
these declarations) instead of a hand-kept list. The declaration is metadata only: the
view runs exactly as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm


@dataclass(frozen=True)
class FormRead:
    """One form a view reads. `form` is None for a view that reads no field (a button that
    carries only the CSRF token). `prefix` is the prefix the view gives the form; `without`
    names the fields the view removes before reading (they are not on the page)."""

    form: type[FlaskForm] | None
    prefix: str = ""
    without: tuple[str, ...] = ()


def reads_form(
    form: type[FlaskForm] | None, *, prefix: str = "", without: tuple[str, ...] = ()
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a form the view reads; stack it to declare several. For forms whose fields are
    built per request (the corrigendum form), declare the static class they extend.

    Returns the view itself with `reads_forms` set, so it may sit anywhere under `bp.route`:
    above other decorators it marks their wrapper, below them `functools.wraps` copies the
    attribute up."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        # A new tuple, never appended in place: `wraps` shares the inner view's attribute
        # values with its wrapper, and a declaration must not leak between views.
        earlier: tuple[FormRead, ...] = getattr(view, "reads_forms", ())
        view.reads_forms = (FormRead(form, prefix, tuple(without)), *earlier)  # type: ignore[attr-defined]
        return view

    return decorate


def declared_forms(view: Callable[..., Any]) -> tuple[FormRead, ...] | None:
    """The forms a view declares it reads; None when it declares nothing."""
    return getattr(view, "reads_forms", None)
