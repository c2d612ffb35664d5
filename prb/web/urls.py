"""`url_for` for templates, remembering what it built.

Building a URL walks the rule's converters and quotes each part (~10 µs); a signed-in page
builds the same few (the stylesheet, its breadcrumbs, its links) on every request, and a
list builds one per row. What a URL is depends only on the endpoint, its values and where
the application is mounted (`request.script_root`, which a proxy may set per request), so
those are the key. Calls that ask for more (`_external`, `_anchor`, `_method`, `_scheme`),
a blueprint-relative endpoint (`.name`, which depends on the request's blueprint) and values
other than text and numbers are built each time. The cache is bounded: emptied when full.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request, url_for

_CACHE_LIMIT = 4096
_built: dict[tuple[Any, ...], str] = {}
_PLAIN = (str, int)


def template_url_for(endpoint: str, **values: Any) -> str:
    if not has_request_context() or endpoint.startswith("."):
        return url_for(endpoint, **values)
    for name, value in values.items():
        # bool is an int, and url_for writes it as a word: built each time, like the rest
        if name.startswith("_") or type(value) not in _PLAIN:
            return url_for(endpoint, **values)
    key = (request.script_root, endpoint, *sorted(values.items()))
    url = _built.get(key)
    if url is None:
        url = url_for(endpoint, **values)
        if len(_built) >= _CACHE_LIMIT:
            _built.clear()
        _built[key] = url
    return url


def register(app: Flask) -> None:
    app.jinja_env.globals["url_for"] = template_url_for
