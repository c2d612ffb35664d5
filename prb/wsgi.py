"""The WSGI application for gunicorn: `gunicorn prb.wsgi:app` (or `prb serve`)."""

import gc

from prb import create_app

app = create_app()


def settle_for_serving() -> None:
    """Compile every template now, then take what start-up made out of the garbage
    collector's sight.

    A serving process keeps its modules, compiled templates, mappers and cached statements
    until it exits (~160,000 objects). Left in the collected generations, every full
    collection walks them all again: on the meeting page that was a quarter of the request's
    time and most of its slowest answers (benchmarks/results/profile.md). Frozen, the
    collector only looks at what requests make, and a larger first threshold lets it look
    less often; what a request leaves behind is still collected.
    """
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


settle_for_serving()
