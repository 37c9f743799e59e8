"""Review stage, export screen (placeholder until filled in)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("export", __name__, url_prefix="/export")


@bp.get("/")
def index():
    return render_template("base.html")


@bp.get("/case/<int:flag_id>.pdf")
def case_pdf(flag_id: int):
    return render_template("base.html")
