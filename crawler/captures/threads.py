"""Crawl stage, browser captures: Threads posts (module threads.net).

Shapes as 4CAT maps them (digitalmethodsinitiative/4cat datasources/threads/search_threads.py; the
extension's modules/threads.js keeps every object under a `post` key that has `pk` and `code`): `code`,
`pk`, `taken_at`, `caption.text`, `user` {pk|id, username}, `text_post_app_info` (reply counts). Only the
author's own posts are mapped: who reposted or liked is not in these objects.
"""

from __future__ import annotations

from crawler.captures.common import account, dig, text_id, unix_time
from crawler.items import PostItem
from crawler.validate import Invalid

PROFILE = "https://www.threads.net/@{}"


def map_post(data: dict, raw: str, fetched_at) -> list:
    user = data.get("user")
    if not isinstance(user, dict):
        raise Invalid("missing_id", "user")
    who = account("threads", user.get("pk") or user.get("id"), user.get("username"), user.get("full_name"),
                  PROFILE, "user.pk")
    code = text_id(data.get("code"), "code")
    caption = dig(data, "caption", "text")
    return [PostItem(platform="threads", platform_id=code, author=who, raw_json=raw, fetched_at=fetched_at,
                     text=caption if isinstance(caption, str) else "",
                     url=f"https://www.threads.net/@{who.handle}/post/{code}" if who.handle else None,
                     created_at=unix_time(data.get("taken_at"), "taken_at"))]
