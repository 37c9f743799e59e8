"""Sample network: identifiers shaped like the real ones (PLC DIDs, TID record keys, CIDs, Mastodon snowflakes).

Every identifier is derived deterministically from the scenario, so two runs of the server (or a server
restarted mid-crawl) hand out the same ids and a re-crawl must deduplicate against what it stored.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime

_B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").lower().rstrip("=")


def did_for(handle: str) -> str:
    """Return a did:plc like the real ones: 24 base32 characters of a SHA-256."""
    return "did:plc:" + _b32(hashlib.sha256(f"netral-samplenet:{handle}".encode()).digest())[:24]


def micros(at: datetime) -> int:
    return int((at - _EPOCH).total_seconds() * 1_000_000)


def tid(at: datetime, clock_id: int) -> str:
    """Return an AT Protocol TID record key: 53 bits of microseconds, 10 bits of clock id, base32-sortable."""
    value = (micros(at) << 10) | (clock_id & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_B32_SORTABLE[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))


def clock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") & 0x3FF


def cid_for(record: dict) -> str:
    """Return a CIDv1 (dag-cbor, sha2-256, base32 'b' prefix) over the record's canonical JSON.

    Real CIDs hash the DAG-CBOR bytes; the shape (bafyrei...) is what crawlers see and store.
    """
    digest = hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).digest()
    return "b" + _b32(bytes([0x01, 0x71, 0x12, 0x20]) + digest)


def snowflake(at: datetime, key: str) -> str:
    """Return a Mastodon id: milliseconds since the epoch shifted 16 bits, plus a per-key sequence."""
    millis = int((at - _EPOCH).total_seconds() * 1000)
    seq = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big")
    return str((millis << 16) | seq)


def iso_z(at: datetime) -> str:
    """Return the time as the platforms write it: UTC, milliseconds, 'Z'."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
