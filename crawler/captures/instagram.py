"""Crawl stage, browser captures: Instagram posts and reels (module instagram.com).

Shapes as 4CAT maps them (digitalmethodsinitiative/4cat datasources/instagram/search_instagram.py:
parse_itemlist_item, parse_graph_item, parse_polaris_item; the extension's modules/instagram.js): an
"item list" media (`code`, `pk`, `taken_at`, `caption.text`, `user` {pk|id, username, full_name},
`owner`), a "graph" node (`__typename` GraphImage/GraphVideo/..., `shortcode`, `taken_at_timestamp`,
`edge_media_to_caption.edges[0].node.text`, `owner` {id, username}) or a Polaris one. Ads are refused
as 4CAT does. Instagram shows others' likers and commenters only as counts: only posts are mapped.
"""

from __future__ import annotations

from crawler.captures.common import account, dig, text_id, unix_time
from crawler.items import PostItem
from crawler.validate import Invalid

PROFILE = "https://www.instagram.com/{}"


def map_post(data: dict, raw: str, fetched_at) -> list:
    if data.get("product_type") == "ad" or str(data.get("link") or "").startswith(
            "https://www.facebook.com/ads/ig_redirect"):
        raise Invalid("advertisement", "an Instagram ad")
    typename = data.get("__typename")
    graph = isinstance(typename, str) and typename != "XDTMediaDict" and "polaris" not in typename.lower()
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    owner = data.get("owner") if isinstance(data.get("owner"), dict) else {}
    if user and owner and user.get("username") != owner.get("username") and owner.get("id") not in (
            user.get("id"), user.get("pk")):
        raise Invalid("unmapped_shape", "different user and owner")
    person = user or owner
    who = account("instagram", person.get("pk") or person.get("id") or person.get("pk_id"), person.get("username"),
                  person.get("full_name"), PROFILE, "user.pk")
    if graph:
        code, taken = data.get("shortcode"), data.get("taken_at_timestamp")
        edges = dig(data, "edge_media_to_caption", "edges")
        caption = dig(edges[0], "node", "text") if isinstance(edges, list) and edges else None
    else:
        code, taken = data.get("code"), data.get("taken_at")
        caption = dig(data, "caption", "text")
    code = text_id(code, "code")
    return [PostItem(platform="instagram", platform_id=code, author=who, raw_json=raw, fetched_at=fetched_at,
                     text=caption if isinstance(caption, str) else "", url=f"https://www.instagram.com/p/{code}",
                     created_at=unix_time(taken, "taken_at"))]
