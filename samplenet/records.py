"""Sample network: the Bluesky repository records (app.bsky.feed.post / like / repost) a PDS stores.

Shapes follow the AT Protocol lexicons: `$type`, `text`, `createdAt`, `langs`, rich-text `facets` with UTF-8
byte offsets, `reply{root,parent}` strong refs, and `embed` (record for quotes, images, recordWithMedia).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from samplenet.ids import iso_z

if TYPE_CHECKING:
    from samplenet.scenario import SInteraction, SPost

_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_MENTION = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9.-]*\.[a-z]+)", re.I)


def facets(text: str, did_of_handle: dict[str, str] | None = None) -> list[dict]:
    """Return hashtag and mention facets with byte offsets into the UTF-8 text, as clients write them."""
    out = []
    for match in _HASHTAG.finditer(text):
        start = len(text[: match.start()].encode())
        out.append({
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": start, "byteEnd": start + len(match.group(0).encode())},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)}],
        })
    for match in _MENTION.finditer(text):
        did = (did_of_handle or {}).get(match.group(1).lower())
        if did:
            start = len(text[: match.start()].encode())
            out.append({
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": start, "byteEnd": start + len(match.group(0).encode())},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
            })
    return out


def strong_ref(post: SPost) -> dict:
    return {"uri": post.uri, "cid": post.cid}


def image_blob_cid(post: SPost) -> str:
    digest = hashlib.sha256(f"image:{post.key}".encode()).hexdigest()
    return "bafkrei" + digest[:52]


def _images(post: SPost) -> dict:
    return {
        "$type": "app.bsky.embed.images",
        "images": [{
            "alt": post.image_alt,
            "image": {
                "$type": "blob", "ref": {"$link": image_blob_cid(post)}, "mimeType": "image/jpeg", "size": 184_320,
            },
            "aspectRatio": {"width": 1080, "height": 1080},
        }],
    }


def post_record(post: SPost) -> dict:
    record: dict = {"$type": "app.bsky.feed.post", "text": post.text, "createdAt": iso_z(post.at), "langs": [post.lang]}
    found = facets(post.text)
    if found:
        record["facets"] = found
    if post.reply_to is not None:
        record["reply"] = {"root": strong_ref(post.root), "parent": strong_ref(post.reply_to)}
    quote = {"$type": "app.bsky.embed.record", "record": strong_ref(post.quote_of)} if post.quote_of else None
    if quote and post.image_alt:
        record["embed"] = {"$type": "app.bsky.embed.recordWithMedia", "record": quote, "media": _images(post)}
    elif quote:
        record["embed"] = quote
    elif post.image_alt:
        record["embed"] = _images(post)
    return record


def interaction_record(inter: SInteraction) -> dict:
    return {
        "$type": f"app.bsky.feed.{inter.kind}",
        "subject": strong_ref(inter.post),
        "createdAt": iso_z(inter.at),
    }
