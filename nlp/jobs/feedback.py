"""NLP stage: turn reviewers' decisions into labelled training examples (reviews.jsonl in the instance folder).

A confirmed flag from a partisan-content rule says its post is partisan. A dismissed one says the
post was not partisan enough to flag; it becomes `election_info` when it speaks about the election
(gazetteer terms) and `other` otherwise. Campaign-account flags say nothing about the text: skipped.
The file goes to the instance folder (NETRAL_INSTANCE_DIR, default ./instance), which is writable,
never into the installed package; `netral nlp train --with-reviews` hands that path to the training.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from models import Flag, FlagStatus, Post
from models.session import instance_dir, session_scope
from nlp.features import extract
from nlp.gazetteer import build
from nlp.training.train import REVIEWS_NAME

CONTENT_RULES = ("POST_PARTISAN", "LIKE_PARTISAN", "REPLY_PARTISAN", "REPOST_PARTISAN", "QUOTE_PARTISAN")
ELECTION_CATEGORIES = {"pemilu", "lembaga", "administrasi", "kandidat_umum", "kampanye", "ajakan_memilih",
                       "netralitas", "kandidat", "nomor_urut", "tagar_kandidat", "partai_kandidat", "politik_uang"}


def reviews_path() -> Path:
    """Where the reviews are exported: reviews.jsonl in the instance folder (read at call time)."""
    return instance_dir() / REVIEWS_NAME


def export_reviews(engine: Engine, profile: Any = None, path: Path | None = None) -> dict:
    """Write one example per reviewed post (latest decision wins) to path (reviews_path()); return counts per label."""
    path = path or reviews_path()
    with session_scope(engine) as session:
        rows = session.execute(
            select(Flag.post_id, Flag.status, Post.text).join(Post, Post.id == Flag.post_id)
            .where(Flag.rule_code.in_(CONTENT_RULES),
                   Flag.status.in_([FlagStatus.CONFIRMED, FlagStatus.DISMISSED]))
            .order_by(Flag.updated_at)
        ).all()
    decided: dict[int, tuple[FlagStatus, str]] = {pid: (status, text) for pid, status, text in rows}
    texts = [t for _, t in decided.values()]
    feats = extract(texts, build(profile)) if texts else []
    prof = profile.model_dump(mode="json") if hasattr(profile, "model_dump") else profile
    counts: dict[str, int] = {}
    with open(path, "w", encoding="utf-8") as fh:
        for (status, text), feat in zip(decided.values(), feats, strict=False):
            if status == FlagStatus.CONFIRMED:
                label = "partisan"
            else:
                label = "election_info" if ELECTION_CATEGORIES & set(feat.counts) else "other"
            counts[label] = counts.get(label, 0) + 1
            fh.write(json.dumps({"text": text, "label": label, "profile": prof, "source": "review"},
                                ensure_ascii=False) + "\n")
    return counts
