"""Review stage, registry screen: people and their accounts with attribution evidence; admins edit.

Admins add or edit people and confirm or reject detected account links; every change is audited. Rejecting
a link withdraws the flags that rested on it (webui.review.service.withdraw_for_link).
NIPs are shown to admins only.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from models import AccountLink, LinkStatus, Person, PersonRole, UserRole, audit, record_event, session_scope
from models.registry import person_key
from webui.access import require_role
from webui.database import db, engine
from webui.limits import MAX_ID, LimitError, check_note
from webui.review.queue import clear_counts
from webui.review.service import withdraw_for_link

bp = Blueprint("registry", __name__, url_prefix="/registry")
PAGE = 50
FIELDS = ("name", "institution", "unit", "position", "region_province", "region_regency", "region_district",
          "region_village")


@bp.get("/")
def index():
    query = select(Person).options(selectinload(Person.links)).order_by(Person.id).limit(PAGE + 1)
    text = request.args.get("q", "").strip()[:100]
    if text:
        query = query.where(func.lower(Person.name).contains(text.lower(), autoescape=True))
    role = request.args.get("role", "")
    if role in {r.value for r in PersonRole}:
        query = query.where(Person.role == PersonRole(role))
    after = request.args.get("after", "")
    if after.isascii() and after.isdigit() and int(after) <= MAX_ID:
        query = query.where(Person.id > int(after))
    people = db().scalars(query).all()
    suggested = db().scalars(
        select(AccountLink).options(selectinload(AccountLink.person), selectinload(AccountLink.account))
        .where(AccountLink.status == LinkStatus.SUGGESTED).order_by(AccountLink.confidence.desc()).limit(50)
    ).all()
    next_after = people[PAGE - 1].id if len(people) > PAGE else None
    return render_template("registry.html", people=people[:PAGE], next_after=next_after, q=text, role=role,
                           roles=list(PersonRole), suggested=suggested)


@bp.get("/person/<int:person_id>")
def person(person_id: int):
    found = db().scalars(select(Person).options(selectinload(Person.links).selectinload(AccountLink.account))
                         .where(Person.id == person_id)).one_or_none()
    if found is None:
        abort(404)
    return render_template("person.html", person=found, roles=list(PersonRole))


@bp.get("/person/new")
@require_role(UserRole.ADMIN)
def new_person():
    return render_template("person_form.html", person=None, roles=list(PersonRole))


def _apply(person: Person) -> dict:
    """Copy the form onto the person; return what changed (NIPs recorded only as changed/unchanged)."""
    changes = {}
    for name in FIELDS:
        value = request.form.get(name, "").strip()[:255] or None
        if name in ("name", "institution") and not value:
            raise ValueError(_("Name and institution are required."))
        if getattr(person, name) != value:
            changes[name] = value
            setattr(person, name, value)
    role = PersonRole(request.form.get("role", ""))
    if person.role != role:
        changes["role"] = role.value
        person.role = role
    nip = request.form.get("nip", "").strip() or None
    if nip != person.nip and (nip or request.form.get("clear_nip")):
        person.nip = nip  # validated by the model
        changes["nip"] = "changed"
    person.person_key = person_key(person.name, person.role.value, person.institution, person.nip)
    return changes


@bp.post("/person/new")
@require_role(UserRole.ADMIN)
def create_person():
    try:
        with session_scope(engine(), write=True) as s:
            person = Person(role=PersonRole.PNS)
            changes = _apply(person)
            s.add(person)
            s.flush()
            record_event(s, g.user.username, audit.REGISTRY_PERSON_ADD, "person", person.id, changes)
    except (ValueError, IntegrityError) as exc:
        flash(str(exc) if isinstance(exc, ValueError) else _("This person is already in the registry."), "error")
        return render_template("person_form.html", person=None, roles=list(PersonRole)), 400
    return redirect(url_for("registry.person", person_id=person.id))


@bp.post("/person/<int:person_id>")
@require_role(UserRole.ADMIN)
def edit_person(person_id: int):
    try:
        with session_scope(engine(), write=True) as s:
            person = s.get(Person, person_id, with_for_update=True)
            if person is None:
                abort(404)
            changes = _apply(person)
            if changes:
                record_event(s, g.user.username, audit.REGISTRY_PERSON_EDIT, "person", person.id, changes)
    except (ValueError, IntegrityError) as exc:
        flash(str(exc) if isinstance(exc, ValueError) else _("This person is already in the registry."), "error")
    return redirect(url_for("registry.person", person_id=person_id))


@bp.post("/link/<int:link_id>")
@require_role(UserRole.ADMIN)
def decide_link(link_id: int):
    """Confirm or reject a detected attribution of an account to a person."""
    try:
        status = LinkStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    try:  # the note is stored whole or refused, never cut silently
        note = check_note(request.form.get("note"))
    except LimitError as exc:
        flash(str(exc), "error")
        return redirect(request.referrer or url_for("registry.index"))
    with session_scope(engine(), write=True) as s:
        link = s.get(AccountLink, link_id, with_for_update=True)
        if link is None:
            abort(404)
        before = link.status.value
        link.status, link.decided_by = status, g.user.username
        link.note = note or link.note
        withdrawn: list[int] = []
        if status is LinkStatus.REJECTED and before != LinkStatus.REJECTED.value:
            s.flush()
            # The record is corrected: flags that accused this person for this account are withdrawn.
            withdrawn = withdraw_for_link(s, link, g.user, note)
        record_event(s, g.user.username, f"registry.link.{status.value}", "account_link", link.id,
                     {"person_id": link.person_id, "account_id": link.account_id, "before": before,
                      **({"withdrawn_flags": withdrawn} if withdrawn else {})})
        person_id = link.person_id
    if withdrawn:
        clear_counts()
        flash(_("Flags withdrawn because they rested on this link: %(num)s.", num=len(withdrawn)), "ok")
    if request.form.get("back") == "list":
        return redirect(url_for("registry.index"))
    return redirect(url_for("registry.person", person_id=person_id))
