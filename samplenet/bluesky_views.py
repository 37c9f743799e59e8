"""Sample network: Bluesky AppView views (ProfileView*, PostView, FeedViewPost, ThreadViewPost, DID documents).

Field names and `$type`s follow the app.bsky.actor.defs / app.bsky.feed.defs / app.bsky.embed.* lexicons.
"""

from __future__ import annotations

from datetime import timedelta

from samplenet.ids import iso_z
from samplenet.index import Index
from samplenet.records import image_blob_cid
from samplenet.scenario import SAccount, SPost

# The AppView indexes a record a moment after it is written.
INDEX_DELAY = timedelta(seconds=2)


def _avatar(base: str, acc: SAccount) -> str:
    return f"{base}/img/avatar/plain/{acc.did}/bafkreiavatar@jpeg"


def profile_basic(base: str, acc: SAccount) -> dict:
    return {
        "did": acc.did,
        "handle": acc.handle,
        "displayName": acc.display_name,
        "avatar": _avatar(base, acc),
        "associated": {"chat": {"allowIncoming": "following"}},
        "viewer": {"muted": False, "blockedBy": False},
        "labels": [],
        "createdAt": iso_z(acc.joined),
    }


def profile_view(base: str, acc: SAccount) -> dict:
    return profile_basic(base, acc) | {"description": acc.bio, "indexedAt": iso_z(acc.joined + INDEX_DELAY)}


def profile_detailed(base: str, acc: SAccount, index: Index) -> dict:
    posts = sum(1 for p in index.authored[acc.key] if index.visible(p))
    followers = 40 + len(acc.handle) * 13 % 900  # invented but stable
    return profile_view(base, acc) | {
        "banner": f"{base}/img/banner/plain/{acc.did}/bafkreibanner@jpeg",
        "followersCount": followers,
        "followsCount": 20 + len(acc.display_name) * 7 % 300,
        "postsCount": posts,
        "pinnedPost": None,
    }


def _images_view(base: str, post: SPost) -> dict:
    blob = image_blob_cid(post)
    return {
        "$type": "app.bsky.embed.images#view",
        "images": [{
            "thumb": f"{base}/img/feed_thumbnail/plain/{post.author.did}/{blob}@jpeg",
            "fullsize": f"{base}/img/feed_fullsize/plain/{post.author.did}/{blob}@jpeg",
            "alt": post.image_alt,
            "aspectRatio": {"width": 1080, "height": 1080},
        }],
    }


def _record_view(base: str, quoted: SPost, index: Index) -> dict:
    if not index.visible(quoted):
        return {"$type": "app.bsky.embed.record#viewNotFound", "uri": quoted.uri, "notFound": True}
    return {
        "$type": "app.bsky.embed.record#viewRecord",
        "uri": quoted.uri,
        "cid": quoted.cid,
        "author": profile_basic(base, quoted.author),
        "value": quoted.record,
        "labels": [],
        "likeCount": index.count(quoted, "like"),
        "replyCount": index.count(quoted, "reply"),
        "repostCount": index.count(quoted, "repost"),
        "quoteCount": index.count(quoted, "quote"),
        "indexedAt": iso_z(quoted.at + INDEX_DELAY),
        "embeds": [_images_view(base, quoted)] if quoted.image_alt else [],
    }


def _embed_view(base: str, post: SPost, index: Index) -> dict | None:
    if post.quote_of and post.image_alt:
        return {
            "$type": "app.bsky.embed.recordWithMedia#view",
            "record": {"record": _record_view(base, post.quote_of, index)},
            "media": _images_view(base, post),
        }
    if post.quote_of:
        return {"$type": "app.bsky.embed.record#view", "record": _record_view(base, post.quote_of, index)}
    if post.image_alt:
        return _images_view(base, post)
    return None


def post_view(base: str, post: SPost, index: Index, typed: bool = False) -> dict:
    view: dict = {"$type": "app.bsky.feed.defs#postView"} if typed else {}
    view |= {
        "uri": post.uri,
        "cid": post.cid,
        "author": profile_basic(base, post.author),
        "record": post.record,
    }
    embed = _embed_view(base, post, index)
    if embed:
        view["embed"] = embed
    view |= {
        "replyCount": index.count(post, "reply"),
        "repostCount": index.count(post, "repost"),
        "likeCount": index.count(post, "like"),
        "quoteCount": index.count(post, "quote"),
        "indexedAt": iso_z(post.at + INDEX_DELAY),
        "viewer": {"threadMuted": False, "embeddingDisabled": False},
        "labels": [],
    }
    return view


def _ref_view(base: str, post: SPost, index: Index) -> dict:
    if not index.visible(post):
        return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": post.uri, "notFound": True}
    return post_view(base, post, index, typed=True)


def reply_ref(base: str, post: SPost, index: Index) -> dict:
    parent = post.reply_to
    ref = {"root": _ref_view(base, post.root, index), "parent": _ref_view(base, parent, index)}
    if parent.reply_to is not None:
        ref["grandparentAuthor"] = profile_basic(base, parent.reply_to.author)
    return ref


def thread_view(base: str, post: SPost, index: Index, depth: int, parent_height: int, with_parent: bool = True) -> dict:
    node: dict = {"$type": "app.bsky.feed.defs#threadViewPost", "post": post_view(base, post, index)}
    if with_parent and post.reply_to is not None and parent_height > 0:
        parent = post.reply_to
        if index.visible(parent):
            node["parent"] = thread_view(base, parent, index, 0, parent_height - 1)
        else:
            node["parent"] = {"$type": "app.bsky.feed.defs#notFoundPost", "uri": parent.uri, "notFound": True}
    if depth > 0:
        children = [p for p in reversed(index.replies[post.key]) if index.visible(p)]  # oldest first
        node["replies"] = [thread_view(base, c, index, depth - 1, 0, with_parent=False) for c in children]
    return node


def did_document(base: str, acc: SAccount) -> dict:
    return {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
            "https://w3id.org/security/suites/secp256k1-2019/v1",
        ],
        "id": acc.did,
        "alsoKnownAs": [f"at://{acc.handle}"],
        "verificationMethod": [{
            "id": f"{acc.did}#atproto",
            "type": "Multikey",
            "controller": acc.did,
            "publicKeyMultibase": "zQ3sh" + acc.did[8:32].upper().replace("0", "A"),
        }],
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": base}],
    }
