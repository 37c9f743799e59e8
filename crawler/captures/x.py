"""Crawl stage, browser captures: X (module twitter.com): timelines, replies (TweetDetail), retweets, quotes.

Shapes as 4CAT maps them (digitalmethodsinitiative/4cat datasources/twitter-import/search_twitter.py
map_item_modern; the extension's modules/twitter.js): a tweet result with `rest_id`, `core.user_results.
result` {rest_id, core{screen_name, name} or legacy{screen_name, name}}, `legacy` {id_str, full_text,
created_at, user_id_str, conversation_id_str, in_reply_to_status_id_str, retweeted_status_result},
`quoted_status_result`; sometimes wrapped once more in `tweet`. Keys are `rest_id` / `legacy.id_str`:
the extension sets `id` of TweetDetail replies with parseInt, which rounds a 19-digit id.
"""

from __future__ import annotations

from datetime import datetime

from crawler.captures.common import account, dig, text_id
from crawler.items import InteractionItem, PostItem
from crawler.validate import Invalid

PROFILE = "https://x.com/{}"


def _unwrap(tweet: object) -> dict | None:
    if isinstance(tweet, dict) and isinstance(tweet.get("tweet"), dict):
        tweet = tweet["tweet"]  # TweetWithVisibilityResults
    return tweet if isinstance(tweet, dict) else None


def _id(tweet: dict) -> str:
    return text_id(tweet.get("rest_id") or dig(tweet, "legacy", "id_str"), "rest_id")


def _author(tweet: dict):
    user = dig(tweet, "core", "user_results", "result") or {}
    screen = dig(user, "core", "screen_name") or dig(user, "legacy", "screen_name")
    name = dig(user, "core", "name") or dig(user, "legacy", "name")
    uid = user.get("rest_id") or dig(tweet, "legacy", "user_id_str")
    return account("x", uid, screen, name, PROFILE, "user rest_id")


def _time(tweet: dict) -> datetime | None:
    value = dig(tweet, "legacy", "created_at")
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        raise Invalid("bad_time", "legacy.created_at") from None


def _post(tweet: dict, raw: str, fetched_at) -> PostItem:
    pid, who = _id(tweet), _author(tweet)
    text = dig(tweet, "note_tweet", "note_tweet_results", "result", "text") or dig(tweet, "legacy", "full_text")
    reply_to = dig(tweet, "legacy", "in_reply_to_status_id_str")
    return PostItem(platform="x", platform_id=pid, author=who, raw_json=raw, fetched_at=fetched_at,
                    text=text if isinstance(text, str) else "",
                    url=f"https://x.com/{who.handle}/status/{pid}" if who.handle else f"https://x.com/i/web/status/{pid}",
                    created_at=_time(tweet), language=dig(tweet, "legacy", "lang") or None,
                    reply_to_platform_id=text_id(reply_to, "in_reply_to_status_id_str") if reply_to else None)


def map_tweet(data: dict, raw: str, fetched_at) -> list:
    tweet = _unwrap(data)
    if tweet is None or tweet.get("__typename") == "TweetTombstone" or not isinstance(tweet.get("legacy"), dict):
        raise Invalid("unmapped_shape", "no tweet legacy object")
    retweeted = _unwrap(dig(tweet, "legacy", "retweeted_status_result", "result"))
    if retweeted is not None:  # a retweet: the original post and the retweeter's repost of it
        original = _post(retweeted, raw, fetched_at)
        who = _author(tweet)
        repost = InteractionItem(platform="x", kind="repost", actor=who, target_platform_id=original.platform_id,
                                 raw_json=raw, fetched_at=fetched_at, platform_id=_id(tweet), occurred_at=_time(tweet))
        return [original, repost]
    items: list = []
    quoted = _unwrap(dig(tweet, "quoted_status_result", "result"))
    if quoted is not None and isinstance(quoted.get("legacy"), dict):
        items.append(_post(quoted, raw, fetched_at))
    post = _post(tweet, raw, fetched_at)
    items.append(post)
    if quoted is not None and isinstance(quoted.get("legacy"), dict):
        items.append(InteractionItem(platform="x", kind="quote", actor=post.author, target_platform_id=_id(quoted),
                                     raw_json=raw, fetched_at=fetched_at, own_post_platform_id=post.platform_id,
                                     occurred_at=post.created_at))
    if post.reply_to_platform_id:
        items.append(InteractionItem(platform="x", kind="reply", actor=post.author,
                                     target_platform_id=post.reply_to_platform_id, raw_json=raw,
                                     fetched_at=fetched_at, own_post_platform_id=post.platform_id,
                                     occurred_at=post.created_at))
    return items
