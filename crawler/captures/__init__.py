"""Crawl stage: browser captures (Zeeschuimer NDJSON) mapped to accounts, posts and interactions.

Zeeschuimer (github.com/digitalmethodsinitiative/zeeschuimer) records what a person's browser receives
while they browse and exports one captured item per line: `nav_index`, `item_id`, `timestamp_collected`
(ms), `source_platform` (the module id: tiktok.com, tiktok-comments, twitter.com, instagram.com,
threads.net), `source_platform_url` (the page), `source_url` (the request), `user_agent`, `data` (the
platform's own object). `zeeschuimer` reads the lines; one mapper per platform turns `data` into items.
Every item of a line carries the line verbatim as its raw evidence, captured at `timestamp_collected`.
A line that does not map (format drift, missing ids) is counted with its reason, never a crash.
"""

from __future__ import annotations

from crawler.captures import instagram, threads, tiktok, x

# source_platform (Zeeschuimer's module id) -> (Netral platform, mapper)
MAPPERS = {
    "tiktok.com": ("tiktok", tiktok.map_post),
    "tiktok-comments": ("tiktok", tiktok.map_comment),
    "twitter.com": ("x", x.map_tweet),
    "x.com": ("x", x.map_tweet),
    "instagram.com": ("instagram", instagram.map_post),
    "threads.net": ("threads", threads.map_post),
    "threads.com": ("threads", threads.map_post),
}


def mapper(source_platform: str):
    """Return (platform, mapper) for a Zeeschuimer module id; KeyError when Netral does not map it."""
    return MAPPERS[source_platform]
