"""Review stage: split crawled text into plain and highlighted segments for the template to escape.

The text is hostile: we never build HTML here. Templates print each segment with autoescaping and wrap
highlighted ones in <mark>, so a reason can only ever mark characters, never inject markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    text: str
    label: str | None = None  # why it is highlighted (entity category or "term"); None = plain


def _reason_items(reasons) -> list[dict]:
    """Flatten the classifier's and the rules' reasons into dicts (their shapes vary by model version)."""
    if isinstance(reasons, dict):
        items = []
        for key in ("entities", "terms", "spans", "matches"):
            items.extend(_reason_items(reasons.get(key) or []))
        return items
    items = []
    for item in reasons or []:
        if isinstance(item, dict):
            items.append(item)
        elif isinstance(item, str):
            items.append({"text": item, "category": "term"})
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            items.append({"text": item[0], "category": "term"})
    return items


def _spans(text: str, reasons) -> list[tuple[int, int, str]]:
    spans = []
    for item in _reason_items(reasons):
        label = str(item.get("category") or item.get("label") or "term")[:40]
        start, end = item.get("start"), item.get("end")
        snippet = item.get("text") or item.get("term")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            # Trust an offset only when it still points at the same words (text may have been re-normalised).
            if not snippet or text[start:end].lower() == str(snippet).lower():
                spans.append((start, end, label))
                continue
        snippet = snippet.strip() if isinstance(snippet, str) else ""
        # Masked features (__kandidat__) are not in the text; short terms must match whole words, or
        # "di" would light up inside every "dinas".
        if len(snippet) >= 2 and not snippet.startswith("__"):
            pattern = r"(?<!\w)" + re.escape(snippet) + r"(?!\w)"
            for m in re.finditer(pattern, text, flags=re.IGNORECASE):
                spans.append((m.start(), m.end(), label))
    return spans


def segments(text: str | None, reasons) -> list[Segment]:
    """Cut `text` into segments; overlapping reasons merge into the first one that starts."""
    text = text or ""
    out: list[Segment] = []
    pos = 0
    for start, end, label in sorted(_spans(text, reasons)):
        if start < pos:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], label))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out
