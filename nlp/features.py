"""NLP stage: turn texts into the classifier's inputs (masked token strings + gazetteer features).

One spaCy pass per batch; everything after it is cached per token. Texts from different
elections (training) are grouped by profile so each is masked with its own gazetteer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from nlp.gazetteer import Features, Gazetteer, featurize
from nlp.text import analyze

# Categories that point at one side of the race (a name, number, party, hashtag or account)...
TARGETS = ("kandidat", "nomor_urut", "tagar_kandidat", "akun_kandidat", "partai_kandidat", "partai")
# ...and the categories that, next to such a target, usually make a post partisan or neutral.
# Mentions alone: their counts are not features (a name is not a stance).
MENTION_ONLY = frozenset({"kandidat", "partai_kandidat", "partai", "akun_kandidat", "tokoh", "daerah"})
STANCES = ("ajakan_dukung", "serangan", "politik_uang", "kampanye", "lembaga", "administrasi",
           "netralitas", "ajakan_memilih", "bukan_pemilu", "pemilu", "kandidat_umum")


def extract(texts: Iterable[str], gaz: Gazetteer, batch_size: int = 1000) -> list[Features]:
    """Analyze and featurize texts that share one election profile."""
    return [featurize(toks, gaz) for toks in analyze(list(texts), batch_size=batch_size)]


def token_string(feat: Features) -> str:
    """The masked, normalized token stream as one space-joined string for the vectorizers."""
    return " ".join(feat.tokens)


def gazetteer_dict(feat: Features) -> dict[str, float]:
    """Gazetteer counts (log-scaled) and target x stance interactions as named features."""
    counts = feat.counts
    # A bare mention is not evidence: target counts are left out (their masks are still words in the
    # n-grams), only what surrounds a target counts: stance words near it, stance categories with it.
    out = {f"g:{cat}": 1.0 + math.log(n) for cat, n in counts.items() if cat not in MENTION_ONLY}
    has_target = any(counts.get(t) for t in TARGETS)
    if has_target:
        for stance in STANCES:
            if counts.get(stance):
                out[f"g:target&{stance}"] = 1.0
        for cue, ent in feat.stances:
            cat = feat.entities[ent]["category"]
            out[f"near:{cue}" if cat not in ("partai", "tokoh") else f"near_lain:{cue}"] = 1.0
        if not feat.stances and not (counts.get("tagar_kandidat") or counts.get("nomor_urut")):
            out["g:mention_only"] = 1.0  # a campaign hashtag or ballot number is campaign material
    else:
        out["g:no_target"] = 1.0
    if len({c for c in ("kandidat", "nomor_urut", "tagar_kandidat") if counts.get(c)}) >= 1 and len(
        {e["label"] for e in feat.entities if e["category"] in ("kandidat", "nomor_urut")}
    ) >= 2:
        out["g:several_candidates"] = 1.0  # naming two sides is typical of neutral reporting
    if not counts:
        out["g:none"] = 1.0
    return out
