"""NLP stage: gazetteers from the election profile plus the built-in national lexicon.

Matching runs on normalized tokens (see nlp.text), longest phrase first. Profile names, parties,
hashtags, accounts and ballot-number cues are *masked* into placeholders, so the classifier learns
"ayo dukung __kandidat__" and transfers to an election whose candidates it has never seen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from nlp.text import DATA, NUMBER_WORDS, Tokens, lemma, normalize_phrase, split_hashtag

# Placeholders that replace a masked span in the token stream.
MASKS = {
    "kandidat": "__kandidat__",
    "partai_kandidat": "__partai__",
    "tagar_kandidat": "__tagar_kandidat__",
    "akun_kandidat": "__akun_kandidat__",
    "akun_resmi": "__akun_resmi__",
    "daerah": "__daerah__",
    "partai": "__partai__",
    "tokoh": "__tokoh__",
    "nomor_urut": "__nourut__",
}
# Words after which a number is a ballot number ("coblos 2", "paslon 01", "nomor urut dua").
_CUE_BEFORE = {"nomor", "urut", "paslon", "pasangan", "coblos", "pilih", "calon", "nourut", "no", "#"}
# First names too common to mask on their own (a candidate's full name is still matched).
_COMMON_WORDS = {
    "bang", "pak", "bu", "ibu", "bapak", "mas", "mbak", "kak", "haji", "hj", "h", "dr", "ir", "st",
    "se", "mm", "sh", "dan", "maju", "bersama", "bersatu", "baru", "indah", "sari", "putra", "putri",
    "jaya", "adil", "makmur", "sejahtera", "harapan", "cahaya", "muda", "bintang", "rakyat", "kita",
    "damai", "ayu", "bayu", "bunga", "mulia", "setia", "sinar", "tegar", "hebat", "nur", "tri",
    "bung", "cak", "kang", "uda", "daeng", "bli", "om", "abang", "teh", "uni", "ning", "gus", "kyai", "kh",
    "ustadz", "ust", "prof", "drs", "hajjah", "buya", "tuan", "puang", "opung", "mak", "wak",
}
HONORIFICS = ("pak", "bapak", "bu", "ibu", "bang", "abang", "mas", "mbak", "kak", "bung", "cak", "kang",
              "haji", "uda", "daeng", "bli", "om", "teh", "uni", "gus", "kyai", "kiai", "ustadz", "ustaz", "buya",
              "mbah", "abah", "bunda", "umi", "abi", "eyang", "kakak", "bro", "sis")
# Party names that are also ordinary words ("pan", "buruh"): matched only as "partai <name>".
AMBIGUOUS_PARTIES = {"pan", "buruh", "gelora", "garuda", "ummat", "berkarya", "aceh", "pbb", "umat", "rakyat"}
# A number after these names a place or a time, not a ballot number ("RT 02", "TPS 02", "jam 02").
_PLACE_BEFORE = {"rt", "rw", "rt/rw", "gang", "gg", "blok", "kav", "lantai", "lt", "kamar", "jam", "pukul",
                 "tanggal", "kelas", "ruang", "lorong", "dusun", "lingkungan", "lk", "tps", "km", "jalur",
                 "pintu", "halte", "rumah", "loket", "antrean", "antre", "kursi", "meja", "nim",
                 "rayon", "sektor", "zona", "kloter", "angkatan", "episode", "eps", "season", "bab", "pasal"}
# A number followed by these is a count, not a ballot number ("coblos satu kali", "2 orang").
_COUNT_AFTER = {"kali", "x", "orang", "hari", "jam", "menit", "persen", "%", "tahun", "bulan", "minggu",
                "ribu", "juta", "lembar", "kg", "rb", "jt", "kilo", "liter", "buah", "km", "meter", "pekan"}


_NUMERIC_START = frozenset("0123456789<")


def _sentence_start(toks: Tokens, i: int) -> bool:
    """True when token i opens a sentence, where any word is capitalized ("Budi pekerti ...")."""
    before = toks.text[: toks.starts[i]].rstrip()
    return not before or before[-1] in ".!?\n\"'"


@dataclass
class Entry:
    category: str
    label: str  # canonical text (or ballot number) shown to reviewers
    caps: str = ""  # "upper": an alias of ordinary words ("BERANI"); "title": a name that is a word ("Budi")


@dataclass
class Match:
    category: str
    label: str
    start: int  # token index range [start, end)
    end: int


@dataclass
class Gazetteer:
    """Phrase index: first token -> [(phrase, entry)] with longer phrases first."""

    index: dict[str, list[tuple[tuple[str, ...], Entry]]] = field(default_factory=dict)
    ballot_numbers: frozenset[int] = frozenset(range(1, 7))

    def add(self, phrase: str, category: str, label: str | None = None, caps: str = "") -> None:
        toks = normalize_phrase(phrase)
        if not toks:
            return
        bucket = self.index.setdefault(toks[0], [])
        if any(p == toks for p, _ in bucket):
            return  # first writer wins: profile entries are added before the lexicon
        bucket.append((toks, Entry(category, label or phrase, caps)))
        bucket.sort(key=lambda item: -len(item[0]))

    def match(self, norms: list[str], toks: Tokens | None = None) -> list[Match]:
        """Return non-overlapping matches, longest first, plus ballot-number cues."""
        out: list[Match] = []
        index, pos = self.index, 0
        # Only tokens that can start a phrase or a number are looked at (a cheap comprehension).
        for i in [k for k, t in enumerate(norms) if t in index or t[0] in _NUMERIC_START or t in NUMBER_WORDS]:
            if i < pos:
                continue  # inside the previous match
            tok = norms[i]
            hit = None
            for phrase, entry in self.index.get(tok, ()):
                if tuple(norms[i : i + len(phrase)]) == phrase:
                    if entry.caps and toks is not None:
                        raw = toks.text[toks.starts[i] : toks.ends[i + len(phrase) - 1]]
                        ok = raw == raw.upper() or raw.startswith("#") or (
                            entry.caps == "title" and raw[:1].isupper() and not _sentence_start(toks, i))
                        if not ok:
                            continue  # "maju bersama", "budi pekerti" in lower case are just words
                    hit = Match(entry.category, entry.label, i, i + len(phrase))
                    break
            if hit is None and (tok[0] in _NUMERIC_START or tok in NUMBER_WORDS):
                num = self._ballot_number(norms, i)
                if num is not None:
                    hit = Match("nomor_urut", str(num), i, i + 1)
            if hit is not None:
                out.append(hit)
                pos = hit.end
        return out

    def _ballot_number(self, norms: list[str], i: int) -> int | None:
        tok = norms[i]
        if tok.startswith(("<kc:", "<jari:")):
            num = int(tok[tok.index(":") + 1 : -1])
            return num if num in self.ballot_numbers else None
        if tok.isdigit() and len(tok) <= 2:
            num = int(tok)
            padded = len(tok) == 2 and tok[0] == "0"  # "01", "02": how ballot numbers are written
        elif tok in NUMBER_WORDS:
            num, padded = NUMBER_WORDS[tok], False
        else:
            return None
        if num not in self.ballot_numbers:
            return None
        if i + 1 < len(norms) and norms[i + 1] in _COUNT_AFTER:
            return None
        if i > 0 and norms[i - 1] in _PLACE_BEFORE:
            return None
        if padded or (i > 0 and norms[i - 1] in _CUE_BEFORE):
            return num
        return None


@lru_cache(maxsize=1)
def _dictionary_words() -> frozenset[str]:
    """Ordinary words: spaCy's lemma table, the slang table, and words written in lower case at
    least twice in the real everyday posts shipped in nlp/data (names are usually capitalized)."""
    import json
    import re
    from collections import Counter

    from nlp.text import lemma_table, slang_table

    table = lemma_table()
    seen: Counter = Counter()
    path = DATA / "indonlu_other_train.jsonl"
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                seen.update(re.findall(r"(?<![\w@#])[a-z]{3,}(?!\w)", json.loads(line)["text"]))
    common = {w for w, n in seen.items() if n >= 2}
    norms = {slang_table().get(w, w) for w in common}
    return frozenset(table) | frozenset(table.values()) | frozenset(slang_table()) | common | norms


def _is_word(token: str) -> bool:
    """True when a name part is also an ordinary Indonesian word (spaCy's lemma table knows it)."""
    return token in _dictionary_words()


def _load_lexicon() -> dict[str, Any]:
    return yaml.safe_load((DATA / "lexicon.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """Return the built-in national lexicon (nlp/data/lexicon.yaml)."""
    return _load_lexicon()


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def build(profile: Any = None) -> Gazetteer:
    """Build the gazetteer for one election profile (ElectionProfile or plain dict), or none."""
    gaz = Gazetteer()
    if profile is not None:
        _add_profile(gaz, profile)
    lex = lexicon()
    for category, phrases in lex["mask"].items():
        for phrase in phrases:
            gaz.add(phrase, category)
    for category, phrases in lex["terms"].items():
        for phrase in phrases:
            gaz.add(phrase, category)
    return gaz


def _add_profile(gaz: Gazetteer, profile: Any) -> None:
    candidates = _get(profile, "candidates", []) or []
    numbers = {int(_get(c, "number")) for c in candidates if _get(c, "number") is not None}
    if numbers:
        gaz.ballot_numbers = frozenset(numbers)
    for cand in candidates:
        label = str(_get(cand, "number"))
        names = list(_get(cand, "names", []) or []) + list(_get(cand, "aliases", []) or [])
        firsts = [n.split()[0] for n in (_get(cand, "names", []) or [])[:2] if n.split()]
        if len(firsts) == 2:  # the pair by first names: "Rahmat-Dewi", "Rahmat Dewi"
            a, b = firsts
            names += [f"{a}-{b}", f"{a} - {b}", f"{a} {b}", f"{a}/{b}"]
        for name in names:
            words = normalize_phrase(name)
            gaz.add(name, "kandidat", label, caps="upper" if words and all(_is_word(w) for w in words) else "")
            for part in normalize_phrase(name):  # "Hendra" alone also names the candidate
                if len(part) < 3 or not part.isalpha() or part in _COMMON_WORDS:
                    continue
                if _is_word(part):  # "gede", "budi" are words too: "Pak Gede", "Bang Budi", or capitalized
                    for title in HONORIFICS:
                        gaz.add(f"{title} {part}", "kandidat", label)
                    gaz.add(part, "kandidat", label, caps="title")
                else:
                    gaz.add(part, "kandidat", label)
        for party in _get(cand, "parties", []) or []:
            if normalize_phrase(party) and " ".join(normalize_phrase(party)) not in AMBIGUOUS_PARTIES:
                gaz.add(party, "partai_kandidat", label)
            gaz.add(f"partai {party}", "partai_kandidat", label)
        for tag in _get(cand, "hashtags", []) or []:
            gaz.add("#" + tag.lstrip("#"), "tagar_kandidat", label)
        for acc in _get(cand, "accounts", []) or []:
            gaz.add("@" + str(_get(acc, "handle")).lstrip("@"), "akun_kandidat", label)
    for org in _get(profile, "official_accounts", []) or []:
        for acc in _get(org, "accounts", []) or []:
            gaz.add("@" + str(_get(acc, "handle")).lstrip("@"), "akun_resmi", _get(org, "name"))
    election = _get(profile, "election")
    region = _get(election, "region") if election is not None else None
    if region:
        gaz.add(region, "daerah")
        words = region.split()
        if len(words) > 1 and words[0].lower() in {"kota", "kabupaten", "provinsi", "kab."}:
            gaz.add(" ".join(words[1:]), "daerah")


@dataclass
class Features:
    """What the classifier sees of one text: masked tokens, gazetteer counts, and reasons."""

    tokens: list[str]
    counts: Counter
    entities: list[dict]


def featurize(toks: Tokens, gaz: Gazetteer) -> Features:
    """Mask profile entities, expand hashtags, and count gazetteer categories for one text."""
    matches = gaz.match(toks.norms, toks)
    out: list[str] = []
    counts: Counter = Counter()
    entities = []
    norms, starts, ends = toks.norms, toks.starts, toks.ends
    simple = _SIMPLE
    pos = 0
    for m in matches + [None]:
        stop = m.start if m is not None else len(norms)
        run = [simple.get(t) for t in norms[pos:stop]]
        if None not in run:
            out.extend(run)
        else:
            for j, form in enumerate(run, pos):
                if form is None:  # first sight of this form, or a hashtag/mention/emoji cue
                    _plain(norms[j], toks.text[starts[j] : ends[j]], gaz, out)
                else:
                    out.append(form)
        if m is None:
            break
        mask = MASKS.get(m.category)
        if mask:
            out.append(mask)
        else:
            out.extend(lemma(t) for t in norms[m.start : m.end])
        counts[m.category] += 1
        start, end = starts[m.start], ends[m.end - 1]
        entities.append({"category": m.category, "text": toks.text[start:end],
                         "start": start, "end": end, "label": m.label})
        pos = m.end
    return Features(out, counts, entities)


def _plain(tok: str, raw: str, gaz: Gazetteer, out: list[str]) -> None:
    if tok[0] == "#" and len(tok) > 1:
        out.append("__tagar__")
        prev = "#"
        for part in _split_cached(raw):  # "#Coblos02" -> coblos __nourut__
            if part.isdigit() and int(part) in gaz.ballot_numbers and (
                part[0] == "0" or prev in _CUE_BEFORE
            ):
                out.append(MASKS["nomor_urut"])
            else:
                out.append(lemma(part))
            prev = part
    elif tok[0] == "@" and len(tok) > 1:
        out.append("__mention__")
    elif tok[0] == "<":
        out.append("__emoji_angka__")
    else:
        form = _SIMPLE[tok] = lemma(tok)
        out.append(form)


# Plain word -> its feature token (the lemma); a plain dict is the cheapest lookup per token.
_SIMPLE: dict[str, str] = {}


@lru_cache(maxsize=100_000)
def _split_cached(tag: str) -> tuple[str, ...]:
    return split_hashtag(tag)
