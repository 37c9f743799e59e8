"""Sample network: Mastodon entities (Account, Status with reblog/quote, HTML `content`) over a scenario.

Content is HTML as a Mastodon server renders it: paragraphs, escaped text, hashtag and mention links, and
the "RE:" fallback line that 4.5 adds to quote posts for older clients.
"""

from __future__ import annotations

import html
import re

from samplenet.ids import iso_z
from samplenet.index import Index
from samplenet.scenario import SAccount, SInteraction, SPost

_TOKEN = re.compile(r"(?<![\w@])([#@])(\w[\w.]*\w|\w)")


def account_url(base: str, acc: SAccount) -> str:
    return f"{base}/@{acc.handle}"


def status_url(base: str, post: SPost) -> str:
    return f"{base}/@{post.author.handle}/{post.mid}"


def status_uri(base: str, post: SPost) -> str:
    return f"{base}/users/{post.author.handle}/statuses/{post.mid}"


def _linkify(base: str, line: str, index: Index) -> str:
    out, pos = [], 0
    for match in _TOKEN.finditer(line):
        out.append(html.escape(line[pos:match.start()], quote=False))
        sigil, word = match.groups()
        if sigil == "#":
            out.append(f'<a href="{base}/tags/{html.escape(word.lower())}" class="mention hashtag" rel="tag">'
                       f"#<span>{html.escape(word)}</span></a>")
        elif index.account("mastodon", word):
            out.append(f'<span class="h-card" translate="no"><a href="{base}/@{html.escape(word)}" '
                       f'class="u-url mention">@<span>{html.escape(word)}</span></a></span>')
        else:
            out.append(html.escape(match.group(0), quote=False))
        pos = match.end()
    out.append(html.escape(line[pos:], quote=False))
    return "".join(out)


def content_html(base: str, post: SPost, index: Index) -> str:
    text = post.text
    if post.reply_to is not None and not text.startswith("@"):
        text = f"@{post.reply_to.author.handle} {text}"
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    body = "".join(
        "<p>" + "<br />".join(_linkify(base, line, index) for line in p.split("\n")) + "</p>" for p in paragraphs
    )
    if post.quote_of is not None:
        link = status_url(base, post.quote_of)
        body = (f'<p class="quote-inline">RE: <a href="{link}" target="_blank" rel="nofollow noopener">'
                f"{html.escape(link)}</a></p>") + body
    return body


def account(base: str, acc: SAccount, index: Index) -> dict:
    statuses = [p for p in index.authored[acc.key] if index.visible(p)]
    return {
        "id": acc.mid,
        "username": acc.handle,
        "acct": acc.handle,
        "display_name": acc.display_name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "created_at": acc.joined.strftime("%Y-%m-%dT00:00:00.000Z"),
        "note": "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in acc.bio.split("\n\n") if p.strip()),
        "url": account_url(base, acc),
        "uri": f"{base}/users/{acc.handle}",
        "avatar": f"{base}/avatars/original/missing.png",
        "avatar_static": f"{base}/avatars/original/missing.png",
        "header": f"{base}/headers/original/missing.png",
        "header_static": f"{base}/headers/original/missing.png",
        "followers_count": 30 + len(acc.handle) * 11 % 700,
        "following_count": 15 + len(acc.display_name) * 5 % 200,
        "statuses_count": len(statuses),
        "last_status_at": statuses[0].at.strftime("%Y-%m-%d") if statuses else None,
        "hide_collections": False,
        "noindex": False,
        "emojis": [],
        "roles": [],
        "fields": [],
    }


def _tags(base: str, text: str) -> list[dict]:
    names = dict.fromkeys(m.group(2).lower() for m in _TOKEN.finditer(text) if m.group(1) == "#")
    return [{"name": n, "url": f"{base}/tags/{n}"} for n in names]


def status(base: str, post: SPost, index: Index, nested_quote: bool = False) -> dict:
    reply_to = post.reply_to
    mentions = []
    if reply_to is not None:
        a = reply_to.author
        mentions.append({"id": a.mid, "username": a.handle, "url": account_url(base, a), "acct": a.handle})
    media = []
    if post.image_alt:
        media.append({
            "id": str(int(post.mid) + 1), "type": "image",
            "url": f"{base}/system/media_attachments/files/{post.mid}/original/foto.jpg",
            "preview_url": f"{base}/system/media_attachments/files/{post.mid}/small/foto.jpg",
            "remote_url": None, "description": post.image_alt, "blurhash": "UFH2:*~q00of~qM{IUWB",
            "meta": {"original": {"width": 1080, "height": 1080}},
        })
    quote = None
    if post.quote_of is not None:
        target = post.quote_of
        if nested_quote:  # Mastodon shows only one level of quote in full
            quote = {"state": "accepted" if index.visible(target) else "deleted", "quoted_status_id": target.mid}
        else:
            quote = {"state": "accepted" if index.visible(target) else "deleted",
                     "quoted_status": status(base, target, index, True) if index.visible(target) else None}
    return {
        "id": post.mid,
        "created_at": iso_z(post.at),
        "in_reply_to_id": reply_to.mid if reply_to else None,
        "in_reply_to_account_id": reply_to.author.mid if reply_to else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": post.lang,
        "uri": status_uri(base, post),
        "url": status_url(base, post),
        "replies_count": index.count(post, "reply"),
        "reblogs_count": index.count(post, "repost"),
        "favourites_count": index.count(post, "like"),
        "quotes_count": index.count(post, "quote"),
        "edited_at": None,
        "content": content_html(base, post, index),
        "reblog": None,
        "account": account(base, post.author, index),
        "media_attachments": media,
        "mentions": mentions,
        "tags": _tags(base, post.text),
        "emojis": [],
        "quote": quote,
        "quote_approval": {"automatic": ["public"], "manual": [], "current_user": "automatic"},
        "card": None,
        "poll": None,
    }


def reblog(base: str, boost: SInteraction, index: Index) -> dict:
    """A boost: a status of its own by the booster, empty content, the original under `reblog`."""
    return {
        "id": boost.mid,
        "created_at": iso_z(boost.at),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": None,
        "uri": f"{base}/users/{boost.actor.handle}/statuses/{boost.mid}/activity",
        "url": None,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "quotes_count": 0,
        "edited_at": None,
        "content": "",
        "reblog": status(base, boost.post, index),
        "account": account(base, boost.actor, index),
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "quote": None,
        "card": None,
        "poll": None,
    }
