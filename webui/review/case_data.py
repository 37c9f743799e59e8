"""Review stage: gather everything a reviewer needs to judge one flag (the case page and the evidence PDF)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from crawler.captures.provenance import provenance
from models import Account, AccountLink, Classification, Flag, Interaction, Person, Post, Review
from models.audit import ChainHead, chain_head
from models.evidence import sha256_text
from webui.review.highlight import Segment, segments

EARLIER_FLAGS = 20


@dataclass
class Case:
    flag: Flag
    account: Account
    interaction: Interaction | None
    post: Post | None  # the partisan post (interacted with, or authored)
    own_post: Post | None  # the reply or quote the monitored account wrote
    person: Person | None
    links: list[AccountLink]
    classification: Classification | None
    post_segments: list[Segment] = field(default_factory=list)
    own_segments: list[Segment] = field(default_factory=list)
    earlier: list[Flag] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    # Rows whose stored SHA-256 is not that of their raw payload ("interaction", "post", "own_post"):
    # the payload or its hash was changed after capture.
    tampered: list[str] = field(default_factory=list)
    chain_head: ChainHead | None = None  # the audit chain's latest event when the case was read
    # Rows that came from a browser capture (Zeeschuimer): evidence of what a supervisor's browser received,
    # with the page, capture time and uploader (crawler.captures.provenance), by row name as above.
    captures: dict[str, dict] = field(default_factory=dict)


def load_case(session: Session, flag_id: int) -> Case | None:
    """Return the case for a flag, or None when there is no such flag."""
    # One round trip for the flag and everything it points at (the page is read on every review).
    row = session.execute(
        select(Flag, Interaction, Post, Person, Account)
        .outerjoin(Interaction, Interaction.id == Flag.interaction_id)
        .outerjoin(Post, Post.id == Flag.post_id)
        .outerjoin(Person, Person.id == Flag.person_id)
        .join(Account, Account.id == Flag.account_id)
        .options(joinedload(Interaction.own_post), joinedload(Post.author))
        .where(Flag.id == flag_id)
    ).unique().one_or_none()
    if row is None:
        return None
    flag, interaction, post, person, account = row
    links = list(session.scalars(
        select(AccountLink).options(joinedload(AccountLink.person))
        .where(AccountLink.account_id == flag.account_id).order_by(AccountLink.id)
    ))
    classification = None
    if post is not None:
        classification = session.scalars(
            select(Classification).where(Classification.post_id == post.id).order_by(Classification.id.desc()).limit(1)
        ).first()
    reasons = list(flag.reasons or [])
    if classification is not None:
        reasons += _as_list(classification.reasons)
    own_post = interaction.own_post if interaction else None
    case = Case(flag=flag, account=account, interaction=interaction, post=post,
                own_post=own_post, person=person, links=links, classification=classification)
    case.post_segments = segments(post.text if post else "", reasons)
    case.own_segments = segments(own_post.text if own_post else "", reasons)
    if person is not None:
        case.earlier = list(session.scalars(
            select(Flag).where(Flag.person_id == person.id, Flag.id != flag.id)
            .order_by(Flag.created_at.desc()).limit(EARLIER_FLAGS)
        ))
    case.reviews = list(session.scalars(
        select(Review).options(joinedload(Review.reviewer)).where(Review.flag_id == flag.id).order_by(Review.id)
    ))
    case.tampered = [name for name, row in (("interaction", interaction), ("post", post), ("own_post", own_post))
                     if row is not None and sha256_text(row.raw_json or "") != row.raw_sha256]
    case.chain_head = chain_head(session)
    for name, row in (("interaction", interaction), ("post", post), ("own_post", own_post)):
        found = provenance(session, row.raw_json) if row is not None else None
        if found is not None:
            case.captures[name] = {**found, "captured_at": datetime.fromisoformat(found["captured_at"])}
    return case


def _as_list(reasons) -> list:
    if isinstance(reasons, dict):
        return [reasons]
    return list(reasons or [])
