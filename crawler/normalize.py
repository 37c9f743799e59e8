"""Crawl stage, step 2 (normalize): turn hostile crawled text into clean, comparable values.

Handles lower-case without '@'; text with control and bidi-override characters removed (they can hide
or reorder what a reviewer reads); Mastodon's HTML reduced to text by a parser that never fetches or
executes anything; timestamps as aware UTC datetimes; only http(s) links kept.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

from crawler.items import AccountItem, InteractionItem, PostItem, ScopeDone
from crawler.timeparse import parse_time

# C0/C1 controls except tab and newline, and the bidi embedding/override/isolate characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BLANKS = re.compile(r"\n{3,}")


def clean_text(value: str | None, limit: int | None = None) -> str | None:
    if value is None:
        return None
    text = _UNSAFE.sub("", unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")))
    text = _BLANKS.sub("\n\n", text).strip()
    return text[:limit] if limit else text


class _TextOnly(HTMLParser):
    """Collect text nodes; paragraphs and line breaks become newlines; scripts and styles are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    if "<" not in html:
        return unescape(html)
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def clean_handle(handle: str | None) -> str | None:
    if not handle:
        return None
    return clean_text(handle.strip().lstrip("@").lower(), 255) or None


def clean_url(url: str | None) -> str | None:
    if isinstance(url, str) and url.startswith(("https://", "http://")) and len(url) <= 1024:
        return _UNSAFE.sub("", url)
    return None


def normalize_account(a: AccountItem) -> AccountItem:
    a.handle = clean_handle(a.handle)
    a.lookup_handle = clean_handle(a.lookup_handle)
    a.display_name = clean_text(a.display_name, 512)
    a.bio = clean_text(a.bio)
    a.profile_url = clean_url(a.profile_url)
    return a


def normalize_post(p: PostItem) -> PostItem:
    normalize_account(p.author)
    text = html_to_text(p.text) if p.platform == "mastodon" else p.text
    p.text = clean_text(text) or ""
    p.url = clean_url(p.url)
    p.fetched_at = parse_time(p.fetched_at)
    p.created_at = parse_time(p.created_at) if p.created_at else None
    p.edited_at = parse_time(p.edited_at) if p.edited_at else None
    p.language = (clean_text(p.language, 16) or "").lower() or None
    return p


def normalize_interaction(i: InteractionItem) -> InteractionItem:
    normalize_account(i.actor)
    i.fetched_at = parse_time(i.fetched_at)
    i.occurred_at = parse_time(i.occurred_at) if i.occurred_at else None
    return i


def normalize_item(item: object) -> object:
    if isinstance(item, PostItem):
        return normalize_post(item)
    if isinstance(item, InteractionItem):
        return normalize_interaction(item)
    if isinstance(item, AccountItem):
        return normalize_account(item)
    if isinstance(item, ScopeDone) and item.since is not None:
        item.since = parse_time(item.since)
    return item
