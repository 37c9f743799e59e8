"""Test helper: turn recorded responses into Scrapy responses and drive spider callbacks offline."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.items import AccountItem, InteractionItem, PostItem, ScopeDone

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def recorded(platform: str, name: str) -> dict:
    return json.loads((FIXTURES / platform / f"{name}.json").read_text())


def response(url: str, body: str | bytes, meta: dict | None = None, status: int = 200,
             headers: dict | None = None) -> TextResponse:
    request = Request(url, meta=meta or {})
    return TextResponse(url=url, body=body.encode() if isinstance(body, str) else body, status=status,
                        headers=headers or {"Content-Type": "application/json"}, request=request, encoding="utf-8")


def replay(platform: str, name: str, meta: dict | None = None) -> TextResponse:
    rec = recorded(platform, name)
    return response(rec["url"], rec["body"], meta, rec["status"], rec.get("headers"))


def project_settings(**overrides) -> dict:
    from crawler import settings as module

    values = {k: getattr(module, k) for k in dir(module) if k.isupper()}
    values.update(overrides)
    return values


def make_spider(cls, settings: dict | None = None, **kwargs):
    crawler = get_crawler(cls, project_settings(**(settings or {})))
    spider = cls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


def split(outputs) -> dict[str, list]:
    """Sort what a callback yielded into requests, accounts, posts, interactions and scopes."""
    kinds = {"request": [], "account": [], "post": [], "interaction": [], "scope": []}
    for out in outputs:
        if isinstance(out, Request):
            kinds["request"].append(out)
        elif isinstance(out, AccountItem):
            kinds["account"].append(out)
        elif isinstance(out, PostItem):
            kinds["post"].append(out)
        elif isinstance(out, InteractionItem):
            kinds["interaction"].append(out)
        elif isinstance(out, ScopeDone):
            kinds["scope"].append(out)
        else:
            raise AssertionError(f"unexpected output {out!r}")
    return kinds


def errors(spider) -> dict[str, int]:
    prefix = "netral/error/"
    return {k[len(prefix):]: v for k, v in spider.crawler.stats.get_stats().items() if k.startswith(prefix)}
