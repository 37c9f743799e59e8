"""Crawl stage: parse a response while keeping the exact source text of each listed object (the evidence).

A platform's bytes are the evidence, not our re-serialisation of them (Mastodon, for one, sends `<` as
`\\u003c`). `loads` parses a page in one pass with the standard decoder and hands back each object of
the listing (the top-level array, or the named array of a top-level object) as a `Verbatim` dict that
carries the text it was parsed from; a whole-object response is one `Verbatim` too.
models.evidence.raw_json_text stores that text unchanged.
"""

from __future__ import annotations

import json
import re

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


class Verbatim(dict):
    """A JSON object exactly as it appeared in a response: the parsed dict plus `source_text`."""

    source_text: str


def _verbatim(value: object, text: str) -> object:
    if not isinstance(value, dict):
        return value
    wrapped = Verbatim(value)
    wrapped.source_text = text
    return wrapped


def _skip(text: str, idx: int) -> int:
    return _SPACE.match(text, idx).end()


def _expect(text: str, idx: int, chars: str) -> str:
    if idx >= len(text) or text[idx] not in chars:
        raise json.JSONDecodeError(f"expected one of {chars!r}", text, idx)
    return text[idx]


def _array(text: str, idx: int) -> tuple[list, int]:
    """Parse the array at text[idx] ('['), keeping each object's text; return (items, index after ']')."""
    items: list = []
    idx = _skip(text, idx + 1)
    if text.startswith("]", idx):
        return items, idx + 1
    while True:
        value, end = _DECODER.raw_decode(text, idx)
        items.append(_verbatim(value, text[idx:end]))
        idx = _skip(text, end)
        if _expect(text, idx, ",]") == "]":
            return items, idx + 1
        idx = _skip(text, idx + 1)


def _object(text: str, idx: int, lists: tuple[str, ...]) -> tuple[dict, int]:
    """Parse the object at text[idx] ('{'), keeping the objects of the named arrays verbatim.

    A name may be a dotted path into nested objects ("thread.replies")."""
    obj: dict = {}
    idx = _skip(text, idx + 1)
    if text.startswith("}", idx):
        return obj, idx + 1
    while True:
        _expect(text, idx, '"')
        key, idx = _DECODER.raw_decode(text, idx)
        idx = _skip(text, idx)
        _expect(text, idx, ":")
        idx = _skip(text, idx + 1)
        inner = tuple(path[len(key) + 1:] for path in lists if path.startswith(f"{key}."))
        if key in lists and text.startswith("[", idx):
            obj[key], idx = _array(text, idx)
        elif inner and text.startswith("{", idx):
            obj[key], idx = _object(text, idx, inner)
        else:
            obj[key], idx = _DECODER.raw_decode(text, idx)
        idx = _skip(text, idx)
        if _expect(text, idx, ",}") == "}":
            return obj, idx + 1
        idx = _skip(text, idx + 1)


def loads(text: str, lists: tuple[str, ...] = ()) -> object:
    """Parse `text` like json.loads; objects of a top-level array, of the named arrays of a top-level
    object (names may be dotted paths), and a whole top-level object come back as Verbatim.
    Raises ValueError on malformed JSON."""
    start = _skip(text, 0)
    if text.startswith("[", start):
        value, end = _array(text, start)
    elif text.startswith("{", start):
        value, end = _object(text, start, lists)
        value = _verbatim(value, text[start:end])
    else:
        value, end = _DECODER.raw_decode(text, start)
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("extra data", text, end)
    return value
