"""NLP stage, database job: classify the posts the shipped model has not classified yet (the scheduler calls it).

Idempotent: classification rows are unique per (post, model version), so posts already classified by the
current model are skipped. Each batch is committed on its own, and the model runs outside the write
transaction, so on SQLite other writers (reviewers) wait for one batch's insert at most.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, exists, select

from models import Classification, Post
from models.session import session_scope
from nlp import classifier as clf_mod
from nlp.gazetteer import build

Progress = Callable[[int], None] | None


def _profile(profile: Any):
    """Accept a loaded ElectionProfile, a path to one, or None."""
    if profile is None or hasattr(profile, "candidates"):
        return profile
    from models.profile import load_profile

    return load_profile(Path(profile))


def count_pending(engine: Engine) -> int:
    """How many posts the shipped model has not classified yet (for a progress bar)."""
    from sqlalchemy import func

    version = clf_mod.load().version
    done = exists().where(and_(Classification.post_id == Post.id, Classification.model_version == version))
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Post).where(~done)) or 0


def classify_pending(engine: Engine, profile: Any = None, batch_size: int = 1000,
                     progress: Progress = None) -> dict:
    """Classify every post not yet classified by the shipped model; return counts per label."""
    profile = _profile(profile)
    clf = clf_mod.load()
    gaz = build(profile)
    counts: Counter = Counter()
    last_id = 0
    done = exists().where(and_(Classification.post_id == Post.id, Classification.model_version == clf.version))
    while True:
        # Read and predict without the write lock; only the insert takes it (on SQLite, BEGIN IMMEDIATE
        # blocks every other writer: reviewers' claims and logins must not wait for the model).
        with session_scope(engine) as session:
            rows = session.execute(
                select(Post.id, Post.text).where(Post.id > last_id, ~done).order_by(Post.id).limit(batch_size)
            ).all()
        if not rows:
            break
        preds = clf.predict([r.text or "" for r in rows], gaz, batch_size=batch_size)
        with session_scope(engine, write=True) as session:
            # A concurrent run may have classified some of these meanwhile: skip them (unique post+version).
            taken = set(session.scalars(select(Classification.post_id).where(
                Classification.model_version == clf.version, Classification.post_id.in_([r.id for r in rows]))))
            fresh = [(r, p) for r, p in zip(rows, preds, strict=True) if r.id not in taken]
            session.add_all(Classification(post_id=r.id, label=p.label, score=p.score, model_version=clf.version,
                                           reasons=p.reasons) for r, p in fresh)
        counts.update(p.label for _r, p in fresh)
        last_id = rows[-1].id
        if progress:
            progress(len(rows))
    return {"model_version": clf.version, "classified": sum(counts.values()), **counts}
