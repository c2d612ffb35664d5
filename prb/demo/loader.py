"""Loading the demo: the seed document's office, replayed through PRB's services
(`prb.demo.replay`) into an empty database, once."""

from __future__ import annotations

from prb.demo.replay import database_is_empty, is_loaded, replay


class NotEmpty(Exception):
    """The database holds another office's records: the demo is not mixed into them."""


def load_demo() -> dict[str, int]:
    """Replay the demo office into an empty database; nothing when it is already there."""
    if is_loaded():
        return {}
    if not database_is_empty():
        raise NotEmpty(
            "This database already has user accounts that are not the demo's: the demo is "
            "loaded only into an empty database (e.g. PRB_DATABASE_URL=sqlite:///demo.sqlite3)."
        )
    return replay()
