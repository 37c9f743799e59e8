"""Sample network: a synthetic scenario of any size, for benchmarks (e.g. a million interactions).

Deterministic: the same arguments give the same accounts, posts and ids. Candidate accounts post; a crowd
of citizens likes and reposts; a share of the crowd is registry-style ASN accounts whose handles
`registry_handles` returns, so a benchmark can import them and exercise account-centric crawling too.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from samplenet.scenario import Scenario, parse_scenario

_TEXTS = (
    "Ayo dukung paslon nomor {n}! Kampanye di kelurahan {v} hari ini. #Pilkada{n:02d}",
    "KPU mengingatkan: cek DPT dan datang ke TPS {v} tanggal 27 November. #PilkadaDamai",
    "Harga cabai di pasar {v} naik lagi minggu ini, ibu-ibu mengeluh.",
)


def build(interactions: int, platform: str = "bluesky", candidates: int = 2, posts_per_candidate: int = 100,
          crowd: int = 5000, repost_share: float = 0.2) -> Scenario:
    """Return a scenario with about `interactions` likes and reposts spread over the candidates' posts."""
    accounts = []
    suffix = ".test" if platform == "bluesky" else ""
    for c in range(1, candidates + 1):
        accounts.append({"key": f"cand{c}", "platform": platform, "handle": f"paslon{c:02d}{suffix}",
                         "name": f"Paslon {c:02d}", "bio": "Akun resmi pasangan calon"})
    for u in range(crowd):
        bio = "Guru SD, PNS" if u % 50 == 0 else "Warga biasa"
        accounts.append({"key": f"u{u}", "platform": platform, "handle": f"warga{u}{suffix}", "bio": bio})
    total_posts = candidates * posts_per_candidate
    per_post = max(1, interactions // total_posts)
    start = datetime(2024, 9, 25, 8, tzinfo=timezone(timedelta(hours=7)))
    posts = []
    for p in range(total_posts):
        cand = p % candidates + 1
        at = start + timedelta(minutes=17 * p)
        crowd_ids = [(p * 7919 + k) % crowd for k in range(min(per_post, crowd))]
        n_reposts = int(len(crowd_ids) * repost_share)
        posts.append({
            "key": f"p{p}", "by": f"cand{cand}", "at": at,
            "text": _TEXTS[p % len(_TEXTS)].format(n=cand, v=p % 37),
            "likes": [f"u{u}" for u in crowd_ids[n_reposts:]],
            "reposts": [f"u{u}" for u in crowd_ids[:n_reposts]],
        })
    return parse_scenario({"name": f"synthetic {interactions}", "accounts": accounts, "posts": posts})


def registry_handles(scenario: Scenario) -> list[str]:
    """Handles of the crowd accounts whose bio says they are civil servants (every 50th)."""
    return [a.handle for a in scenario.accounts.values() if a.bio.startswith("Guru SD")]
