"""Review stage, dashboard screen (placeholder until filled in)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


@bp.get("/")
def index():
    return render_template("base.html")
