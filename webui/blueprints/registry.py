"""Review stage, registry screen (placeholder until filled in)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("registry", __name__, url_prefix="/registry")


@bp.get("/")
def index():
    return render_template("base.html")


@bp.get("/person/<int:person_id>")
def person(person_id: int):
    return render_template("base.html")
