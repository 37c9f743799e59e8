"""Store stage: how raw evidence is fingerprinted (SHA-256 over the verbatim payload text)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def sha256_text(raw: str) -> str:
    """Return the hex SHA-256 of a payload's UTF-8 bytes."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def raw_json_text(payload: Any) -> str:
    """The payload's text as the platform sent it: its source text when the parser kept it
    (crawler.verbatim), else a serialisation that keeps the key order."""
    if isinstance(payload, str):
        return payload
    source = getattr(payload, "source_text", None)
    if source is not None:
        return source
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def canonical_json(payload: Any) -> str:
    """Serialise with sorted keys: the form hashed where the order must not matter (audit chain)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
