"""Test helper: the interactions the end-to-end test writes to the real network, and what must be stored.

A candidate posts; a civil servant (asn) likes, reposts and quotes it; another (asndua) likes and
replies; an unrelated citizen (warga) likes it and posts something the asn likes. Kept apart from the
test so the fixture recorder writes the very same world.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.e2e.bluesky_network.net import Actor, BlueskyNetwork, ref


@dataclass
class World:
    actors: dict[str, Actor] = field(default_factory=dict)
    records: dict[str, dict] = field(default_factory=dict)


def build(net: BlueskyNetwork) -> World:
    world = World()
    for name in ("kandidatsatu", "asnsatu", "asndua", "wargasatu"):
        world.actors[name] = net.create_account(name)
    a, r = world.actors, world.records
    r["campaign"] = net.post(a["kandidatsatu"], "Ayo coblos nomor 1! #Bersinar01 Bersama Bang Budi")
    r["schedule"] = net.post(a["kandidatsatu"], "Jadwal kampanye akbar hari Sabtu di lapangan Segitiga")
    r["weather"] = net.post(a["wargasatu"], "Cuaca cerah di Sawahlunto pagi ini")
    r["like_asn"] = net.like(a["asnsatu"], ref(r["campaign"]))
    r["like_asndua"] = net.like(a["asndua"], ref(r["campaign"]))
    r["like_warga"] = net.like(a["wargasatu"], ref(r["campaign"]))
    r["repost_asn"] = net.repost(a["asnsatu"], ref(r["campaign"]))
    r["reply_asndua"] = net.post(a["asndua"], "Setuju, nomor 1 pilihan kita", reply_to=ref(r["campaign"]))
    r["quote_asn"] = net.post(a["asnsatu"], "Mantap, dukung terus!", quote=ref(r["campaign"]))
    r["like_weather"] = net.like(a["asnsatu"], ref(r["weather"]))
    net.process_all()
    return world


# (kind, actor name, target record name, own post record name or None)
EXPECTED = {
    ("like", "asnsatu", "campaign", None),
    ("like", "asndua", "campaign", None),
    ("like", "wargasatu", "campaign", None),
    ("repost", "asnsatu", "campaign", None),
    ("reply", "asndua", "campaign", "reply_asndua"),
    ("quote", "asnsatu", "campaign", "quote_asn"),
    ("like", "asnsatu", "weather", None),  # only the account-centric crawl (the asn's own repository) sees this
}
