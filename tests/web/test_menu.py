"""The header's menu: what each role is shown, and the same links wherever PRB is mounted,
though it is written once per set of roles (prb/web/menu.py)."""

from __future__ import annotations

from tests import factories
from tests.conftest import sign_in
from tests.web.test_administrator_navigation import links

MAIN_MENU = ("nav", "aria-label", "Main")
EVERYONE = ["/", "/proposals/", "/calls/", "/workflow/"]


def menu(client, prefix: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get("/account", environ_overrides={"SCRIPT_NAME": prefix})
    assert page.status_code == 200
    return links(page.get_data(as_text=True), MAIN_MENU)


def test_each_role_is_shown_its_own_menu(client, world) -> None:  # type: ignore[no-untyped-def]
    officer = ["/board/", "/finance/", "/reports/portfolio"]
    expected = {
        # Chairs share the menu of the roles everyone has ...
        world.chair_a: EVERYONE,
        world.chair_b: EVERYONE,
        # ... officers see the Board, finance and the portfolio ...
        world.board_cted: EVERYONE[:3] + officer + EVERYONE[3:],
        world.finance: EVERYONE[:3] + officer + EVERYONE[3:],
        # ... the secretariat also imports, and a chair who sits on the Board is shown both.
        world.secretariat: EVERYONE[:3] + officer + EVERYONE[3:] + ["/imports/projects"],
        world.chair_b_board: EVERYONE[:3] + officer + EVERYONE[3:],
        factories.administrator(world): [*EVERYONE, "/admin/users", "/admin", "/imports/projects"],
    }
    # Asked in turn on one client, so a menu written for one set of roles is never shown to
    # another (and asked twice, from the written menu the second time).
    for _ in range(2):
        for user, paths in expected.items():
            client.post("/logout")
            sign_in(client, user)
            assert menu(client) == paths, user.email


def test_the_menu_follows_the_mount_point(client, world) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, world.secretariat)
    at_root = menu(client)
    under_prefix = menu(client, "/prb")
    assert under_prefix == [f"/prb{path}" for path in at_root]
    assert menu(client) == at_root
    header = client.get("/account", environ_overrides={"SCRIPT_NAME": "/prb"})
    html = header.get_data(as_text=True)
    for path in ("/prb/notifications", "/prb/account", "/prb/logout"):
        assert f'href="{path}' in html or f'action="{path}' in html, path


def test_many_mount_points_keep_the_cache_small(client, world) -> None:  # type: ignore[no-untyped-def]
    from prb.web import menu as menu_module

    sign_in(client, world.chair_a)
    for number in range(200):
        assert menu(client, f"/m{number}")[0] == f"/m{number}/"
    assert len(menu_module._menus) <= menu_module._CACHE_LIMIT
    assert len(menu_module._links) <= menu_module._CACHE_LIMIT
