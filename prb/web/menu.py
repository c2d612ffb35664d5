"""The header every signed-in page carries: its menu and links, written once per set of
roles rather than once per request."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup

from workflows import Role

OFFICERS = frozenset({Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE})

# (label, endpoint, the roles that see it or None for everyone signed in), in the order the
# menu shows them.
MENU: tuple[tuple[str, str, frozenset[Role] | None], ...] = (
    ("Dashboard", "main.dashboard", None),
    ("Proposals", "proposals.index", None),
    ("Calls", "calls.index", None),
    ("Board", "board.index", OFFICERS),
    ("Finance", "finance.index", OFFICERS),
    ("Portfolio", "reports.portfolio_page", OFFICERS),
    ("Lifecycle", "workflow.diagram", None),
    ("Users", "admin.users", frozenset({Role.ADMINISTRATOR})),
    ("Administration", "reference.index", frozenset({Role.ADMINISTRATOR})),
    ("Import", "imports.projects", frozenset({Role.SECRETARIAT, Role.ADMINISTRATOR})),
)

# The header's other links; they differ only by where the application is mounted.
LINKS = {
    "dashboard": "main.dashboard",
    "notices": "notifications.index",
    "account": "auth.account",
    "sign_out": "auth.logout",
}

# Building the URLs was a tenth of a signed-in page that shows nothing else (17 url_for
# calls). The menu depends only on the roles and on the mount point, which a proxy may set
# per request (X-Forwarded-Prefix), so the cache is bounded.
_CACHE_LIMIT = 64
_menus: dict[tuple[frozenset[Role], str], Markup] = {}
_links: dict[str, dict[str, str]] = {}


def main_menu() -> Markup:
    """The `<li>` items of the main menu for the signed-in user's roles."""
    roles = current_user.roles if current_user.is_authenticated else frozenset()
    key = (roles, request.script_root)
    menu = _menus.get(key)
    if menu is None:
        item = Markup('<li><a href="{}">{}</a></li>')
        menu = Markup("\n").join(
            item.format(url_for(endpoint), label)
            for label, endpoint, seen_by in MENU
            if seen_by is None or roles & seen_by
        )
        if len(_menus) >= _CACHE_LIMIT:
            _menus.clear()
        _menus[key] = menu
    return menu


def header_links() -> dict[str, str]:
    """The URLs of the header's own links (the brand, notices, account, sign out)."""
    links = _links.get(request.script_root)
    if links is None:
        links = {name: url_for(endpoint) for name, endpoint in LINKS.items()}
        if len(_links) >= _CACHE_LIMIT:
            _links.clear()
        _links[request.script_root] = links
    return links


def register(app: Flask) -> None:
    app.jinja_env.globals["main_menu"] = main_menu
    app.jinja_env.globals["header_links"] = header_links
