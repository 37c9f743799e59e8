"""Crawl stage, browser captures: TikTok videos (module tiktok.com) and comments (tiktok-comments).

Shapes as 4CAT maps them (digitalmethodsinitiative/4cat datasources/tiktok/search_tiktok.py and
datasources/tiktok_comments/search_tiktok_comments.py; the extension's modules/tiktok.js and
modules/tiktok-comments.js): a video is an item of `itemList` / `item_list` or the page's embedded
`itemStruct`: `id`, `desc`, `createTime`, `author` {id, uniqueId, nickname, secUid} (or, embedded,
`author` = the uniqueId with `authorId`); a comment is an element of `comments`: `cid`, `aweme_id`
(the video), `text`, `create_time`, `reply_id` ("0" or the comment it answers), `user` {uid,
unique_id, nickname}, `share_info.url`.
"""

from __future__ import annotations

from crawler.captures.common import account, dig, text_id, unix_time
from crawler.items import InteractionItem, PostItem
from crawler.validate import Invalid

PROFILE = "https://www.tiktok.com/@{}"


def map_post(data: dict, raw: str, fetched_at) -> list:
    author = data.get("author")
    if isinstance(author, dict):
        who = account("tiktok", author.get("id"), author.get("uniqueId"), author.get("nickname"), PROFILE,
                      "author.id")
    elif isinstance(author, str) and author:
        who = account("tiktok", data.get("authorId"), author, data.get("nickname"), PROFILE, "authorId")
    else:
        raise Invalid("missing_id", "author")
    video = text_id(data.get("id"), "id")
    url = f"https://www.tiktok.com/@{who.handle}/video/{video}" if who.handle else None
    return [PostItem(platform="tiktok", platform_id=video, author=who, raw_json=raw, fetched_at=fetched_at,
                     text=data.get("desc") if isinstance(data.get("desc"), str) else "", url=url,
                     created_at=unix_time(data.get("createTime"), "createTime"))]


def map_comment(data: dict, raw: str, fetched_at) -> list:
    user = data.get("user")
    if not isinstance(user, dict):
        raise Invalid("missing_id", "user")
    who = account("tiktok", user.get("uid"), user.get("unique_id"), user.get("nickname"), PROFILE, "user.uid")
    comment = text_id(data.get("cid"), "cid")
    video = text_id(data.get("aweme_id"), "aweme_id")
    parent = data.get("reply_id")
    reply_to = text_id(parent, "reply_id") if parent not in (None, "", "0", 0) else video
    when = unix_time(data.get("create_time"), "create_time")
    share = dig(data, "share_info", "url")
    post = PostItem(platform="tiktok", platform_id=comment, author=who, raw_json=raw, fetched_at=fetched_at,
                    text=data.get("text") if isinstance(data.get("text"), str) else "",
                    url=share if isinstance(share, str) else None, created_at=when, reply_to_platform_id=reply_to)
    reply = InteractionItem(platform="tiktok", kind="reply", actor=who, target_platform_id=video, raw_json=raw,
                            fetched_at=fetched_at, own_post_platform_id=comment, occurred_at=when)
    return [post, reply]
