"""Crawl stage, spiders: one per platform (file name = spider name), on the shared base in `base.py`.

`spider_class(name)` returns the spider class registered under a name, loading the spiders only then. Like
all of crawler, they may import only `models` and crawler.
"""

from __future__ import annotations


def spider_class(name: str):
    """Return the spider class registered under `name`; raise KeyError naming the known ones."""
    from crawler.spiders.bluesky import BlueskySpider
    from crawler.spiders.mastodon import MastodonSpider

    spiders = {cls.name: cls for cls in (BlueskySpider, MastodonSpider)}
    try:
        return spiders[name]
    except KeyError:
        raise KeyError(f"unknown spider {name!r}; known: {', '.join(sorted(spiders))}") from None
