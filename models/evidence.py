"""Store stage: how raw evidence is fingerprinted (SHA-256 over the verbatim payload text)."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def sha256_text(raw: str) -> str:
    """Return the hex SHA-256 of a payload's UTF-8 bytes."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def raw_json_text(payload: Any) -> str:
    """Serialise a parsed payload without reordering keys, so it stays as the platform sent it."""
    if isinstance(payload, str):
        return payload
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def canonical_json(payload: Any) -> str:
    """Serialise with sorted keys: the form hashed where the order must not matter (audit chain)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
