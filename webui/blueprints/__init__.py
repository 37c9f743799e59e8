"""Review stage, screens: one blueprint per screen, registered together.

Like all of webui, they may import `models`, `crawler`, `nlp` and `scheduler` (the jobs screen uses it).
"""

from __future__ import annotations

from flask import Flask, redirect, url_for


def register_all(app: Flask) -> None:
    from webui.access import can_decide, is_admin, load_user
    from webui.blueprints import auth, case, dashboard, export, jobs, queue, registry, users

    app.before_request(load_user)
    for module in (auth, queue, case, registry, dashboard, export, users, jobs):
        app.register_blueprint(module.bp)
    from webui.labels import labels
    from webui.rules_info import rule_act

    app.jinja_env.globals.update(can_decide=can_decide, is_admin=is_admin, labels=labels, rule_act=rule_act)
    app.add_url_rule("/", "index", lambda: redirect(url_for("queue.index")))
