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
# Cues that make a number a ballot number on their own ("nomor urut 2", "paslon 01", "coblos 2").
_STRONG_CUE_BEFORE = {"urut", "paslon", "pasangan", "coblos", "nourut", "contreng", "#"}
# Next to a padded number ("gas 02", "pilih 01", "02 menang") these make it a ballot number.
_STANCE_NEAR_NUMBER = {"coblos", "pilih", "dukung", "menang", "menangkan", "gas", "ayo", "salam", "jari", "lanjut",
                       "lanjutkan", "pasti", "fix", "nomor"}
# Categories that make a post about the election, so a weaker cue ("nomor 1", "01") can be a ballot number.
ELECTORAL_CONTEXT = frozenset({"kandidat", "tagar_kandidat", "akun_kandidat", "partai_kandidat", "partai",
                               "tokoh", "pemilu", "lembaga", "kandidat_umum", "kampanye"})
# "<word> nomor N" where N is a rank or an address, not a ballot number.
_RANK_BEFORE = {"juara", "peringkat", "ranking", "rangking", "rank", "jl", "jl.", "jln", "jalan", "gang", "gg",
                "blok", "rumah", "kamar", "lantai", "kavling", "kav", "ruko", "kios", "lapak", "meja", "kursi",
                "antrean", "antrian", "soal", "halaman", "hal", "lagu", "track", "pintu", "gerbong", "kereta"}
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
    hashtag_keys: dict[str, str] = field(default_factory=dict)  # hashtag_key(profile hashtag) -> label

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
        weak: list[Match] = []  # ballot numbers that need an electoral context elsewhere in the post
        index, pos = self.index, 0
        # Only tokens that can start a phrase or a number are looked at (a cheap comprehension).
        tags = bool(self.hashtag_keys)
        for i in [k for k, t in enumerate(norms)
                  if t in index or t[0] in _NUMERIC_START or t in NUMBER_WORDS or (tags and t[0] == "#")]:
            if i < pos:
                continue  # inside the previous match
            tok = norms[i]
            hit = None
            for phrase, entry in self.index.get(tok, ()):
                if tuple(norms[i : i + len(phrase)]) == phrase:
                    if entry.caps and toks is not None:
                        raw = toks.text[toks.starts[i] : toks.ends[i + len(phrase) - 1]]
                        if entry.caps == "upper":
                            ok = raw == raw.upper() or raw.startswith("#")
                        else:  # "title": "Sandi" mid-sentence, not "sandi", "SANDI" or a sentence's first word
                            ok = raw.startswith("#") or (raw[:1].isupper() and raw != raw.upper()
                                                         and not _sentence_start(toks, i))
                        if not ok:
                            continue  # "maju bersama", "budi pekerti" in lower case are just words
                    hit = Match(entry.category, entry.label, i, i + len(phrase))
                    break
            if hit is None and tok[0] == "#" and self.hashtag_keys:
                label = self.hashtag_keys.get(hashtag_key(tok))
                if label is not None:
                    hit = Match("tagar_kandidat", label, i, i + 1)
            if hit is None and (tok[0] in _NUMERIC_START or tok in NUMBER_WORDS):
                num = self._ballot_number(norms, i)
                if num is not None:
                    hit = Match("nomor_urut", str(num), i, i + 1)
                    padded = len(tok) == 2 and tok[0] == "0"
                    if not (i > 0 and norms[i - 1] in _STRONG_CUE_BEFORE) and not (
                            i > 1 and norms[i - 1] == "nomor" and norms[i - 2] in _STRONG_CUE_BEFORE) and not (
                            padded and ((i > 0 and norms[i - 1] in _STANCE_NEAR_NUMBER)
                                        or (i + 1 < len(norms) and norms[i + 1] in _STANCE_NEAR_NUMBER))):
                        weak.append(hit)
            if hit is not None:
                out.append(hit)
                pos = hit.end
        if weak and not any(m.category in ELECTORAL_CONTEXT or (m.category == "nomor_urut" and m not in weak)
                            for m in out):
            # "nomor 1", "01", "pilih 1" are ballot numbers only in a post about the election:
            # not in "juara nomor 1", "Jl. Mawar No. 1", "tanggal 01", "pilih 1 aja kak warnanya".
            out = [m for m in out if not any(m is w for w in weak)]
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
        if i > 1 and norms[i - 1] == "nomor" and norms[i - 2] in _RANK_BEFORE:
            return None  # "juara nomor 1", "Jl. Mawar No. 1", "rumah nomor 2"
        if padded or (i > 0 and norms[i - 1] in _CUE_BEFORE):
            return num
        return None


_LEET = str.maketrans("013457", "oieast")


@lru_cache(maxsize=50_000)
def hashtag_key(tag: str) -> str:
    """Canonical letters of a hashtag: case, digits used as letters ("T3tap") and years dropped, so
    "#2019GantiPresiden", "#gantipresiden2019" and "#GantiPresiden2019" share one key."""
    import re

    body = tag.lstrip("#").lower()
    body = re.sub(r"(?<=[a-z])[013457](?=[a-z])", lambda m: m.group(0).translate(_LEET), body)
    return re.sub(r"[^a-z]", "", body)


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


# Everyday words that spaCy's lemma table lacks but that are also names or name parts:
# "kata sandi" (password), "amin" / "aamiin" (ending a prayer), "kiai" (any cleric), "pakde".
EVERYDAY_WORDS = frozenset({"sandi", "amin", "aamiin", "amiin", "kiai", "kyai", "pakde", "bude", "ustad", "ustaz",
                            "habib", "gus", "mbah", "cak", "uno", "pekerti", "budi"})


def _is_word(token: str) -> bool:
    """True when a name part is also an ordinary Indonesian word (spaCy's lemma table knows it)."""
    return token in EVERYDAY_WORDS or token in _dictionary_words()


def _alias_caps(name: str, words: tuple[str, ...]) -> str:
    """How a profile name must be written in a post to count: any case for a real name ("Jokowi"),
    capitalized mid-sentence for a name that is an ordinary word ("Sandi", not "kata sandi"), and in
    capitals only for a slogan written in capitals in the profile ("BERSINAR"). Capitals alone never
    make an ordinary word a name: "AMIN" ending a prayer is not "Amin"."""
    named = [w for w in words if any(c.isalpha() for c in w)]
    if len(named) > 1 and named[0] in HONORIFICS:
        return ""  # "Bang Budi", "Pak Harun": an honorific makes the next word a name
    if not named or not all(_is_word(w) for w in named):
        return ""
    letters = [c for c in name if c.isalpha()]
    return "upper" if letters and all(c.isupper() for c in letters) else "title"


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
            gaz.add(name, "kandidat", label, caps=_alias_caps(name, words))
            if len(words) < 2:
                continue
            # A word split out of a full name that is also an ordinary word ("Amin" of "Ma'ruf Amin",
            # "Budi" of "Budi Santoso") never names the candidate alone, in any case ("AMIN" ending a
            # prayer): only with an honorific ("Pak Budi"), or when the profile lists it as an alias.
            # A distinctive part that is no word ("Hendra", "Prabowo") still names the candidate.
            for part in words:
                if len(part) < 3 or not part.isalpha() or part in _COMMON_WORDS:
                    continue
                for title in HONORIFICS:
                    gaz.add(f"{title} {part}", "kandidat", label)
                if len(part) >= 4 and not _is_word(part):
                    gaz.add(part, "kandidat", label)
        for party in _get(cand, "parties", []) or []:
            if normalize_phrase(party) and " ".join(normalize_phrase(party)) not in AMBIGUOUS_PARTIES:
                gaz.add(party, "partai_kandidat", label)
            gaz.add(f"partai {party}", "partai_kandidat", label)
        for tag in _get(cand, "hashtags", []) or []:
            gaz.add("#" + tag.lstrip("#"), "tagar_kandidat", label)
            key = hashtag_key(tag)
            if len(key) >= 6:  # "#gantipresiden2019", "#T3tapJokowi": the same slogan glued or respelled
                gaz.hashtag_keys.setdefault(key, label)
            parts = split_hashtag(tag)
            if len(parts) >= 3:  # the slogan written out: "2019 ganti presiden", "ganti presiden 2019"
                gaz.add(" ".join(parts), "tagar_kandidat", label)
                if parts[0].isdigit():
                    gaz.add(" ".join(parts[1:] + parts[:1]), "tagar_kandidat", label)
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


# Words that, within STANCE_WINDOW tokens of a target (candidate, number, party, hashtag, account),
# take a side: support, vote calls, contest talk, attacks on a candidacy. A target with none of these
# near it is a *mention* (news, official acts, criticism of a government), not a stance.
STANCE_CUES = frozenset({
    "dukung", "pilih", "coblos", "contreng", "menang", "menangkan", "kalah", "lanjut", "lanjutkan",
    "periode", "usung", "diusung", "jago", "nyapres", "nyalon", "calonkan", "mencalonkan", "capres",
    "cawapres", "paslon", "kampanye", "relawan", "timses", "pemenangan", "vote", "support", "ganti",
    "dipilih", "memilih", "terpilih", "putaran", "gas", "gaspol", "jagoin", "kawal", "mantap", "all",
    "asal", "jangan", "tolak", "salam", "jari", "__nourut__", "__tagar_kandidat__", "amplop", "uang",
    "sembako", "posko", "tim", "deklarasi", "pendukung", "lawan",
})
STANCE_WINDOW = 3
_PUNCT = frozenset({"!", "?", ".", ",", "..", "...", "....", "!!", "!!!", "??", "?!", "!?", ":", ";", "-", "(", ")",
                    '"', "'", "/", "*", "~", "''", "``", "…", "“", "”", "‘", "’"})
# Masked targets named by the election profile, and national ones (parties and figures) from the lexicon.
PROFILE_TARGETS = frozenset({"__kandidat__", "__nourut__", "__tagar_kandidat__", "__akun_kandidat__"})
LEXICON_TARGETS = frozenset({"__partai__", "__tokoh__"})


@dataclass
class Features:
    """What the classifier sees of one text: masked tokens, gazetteer counts, and reasons.

    stances: (cue, entity index) pairs: a stance word within STANCE_WINDOW tokens of a masked target.
    """

    tokens: list[str]
    counts: Counter
    entities: list[dict]
    stances: list[tuple[str, int]] = field(default_factory=list)


def featurize(toks: Tokens, gaz: Gazetteer) -> Features:
    """Mask profile entities, expand hashtags, and count gazetteer categories for one text."""
    matches = gaz.match(toks.norms, toks)
    out: list[str] = []
    counts: Counter = Counter()
    entities = []
    norms, starts, ends = toks.norms, toks.starts, toks.ends
    simple = _SIMPLE
    pos = 0
    targets: list[tuple[int, int]] = []  # (position in out, entity index)
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
            if mask in PROFILE_TARGETS or mask in LEXICON_TARGETS:
                targets.append((len(out), len(entities)))
            out.append(mask)
        else:
            out.extend(lemma(t) for t in norms[m.start : m.end])
        counts[m.category] += 1
        start, end = starts[m.start], ends[m.end - 1]
        entities.append({"category": m.category, "text": toks.text[start:end],
                         "start": start, "end": end, "label": m.label})
        pos = m.end
    if not _PUNCT.isdisjoint(out):  # "!", "?", "..." say how loud a post is, not what side it takes
        if targets:
            shift = [0] * (len(out) + 1)
            for k, t in enumerate(out):
                shift[k + 1] = shift[k] + (t not in _PUNCT)
            targets = [(shift[p], ent) for p, ent in targets]
        out = [t for t in out if t not in _PUNCT]
    if not targets:
        return Features(out, counts, entities)
    stances: list[tuple[str, int]] = []
    for p, ent in targets:
        for q in range(max(0, p - STANCE_WINDOW), min(len(out), p + STANCE_WINDOW + 1)):
            if q != p and out[q] in STANCE_CUES:
                stances.append((out[q], ent))
    return Features(out, counts, entities, stances)


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
    elif tok.startswith(("<kc:", "<jari:")):
        out.append("__emoji_angka__")
    else:
        form = _SIMPLE[tok] = lemma(tok)
        out.append(form)


# Plain word -> its feature token (the lemma); a plain dict is the cheapest lookup per token.
_SIMPLE: dict[str, str] = {}


@lru_cache(maxsize=100_000)
def _split_cached(tag: str) -> tuple[str, ...]:
    return split_hashtag(tag)


def alias_warnings(profile: Any) -> list[str]:
    """Warnings for `netral profile check`: profile names that are also ordinary words, and how they match."""
    out = []
    for cand in _get(profile, "candidates", []) or []:
        num = _get(cand, "number")
        for alias in _get(cand, "aliases", []) or []:
            words = normalize_phrase(alias)
            caps = _alias_caps(alias, words)
            if caps == "title":
                out.append(f"candidate {num}: alias {alias!r} is also an ordinary word; it is matched only when "
                           f"capitalized mid-sentence (not 'kata {alias.lower()}' or {alias.upper()!r})")
            elif len(words) == 1 and len(words[0]) < 4:
                out.append(f"candidate {num}: alias {alias!r} is very short; expect false matches")
        for name in _get(cand, "names", []) or []:
            parts = [w for w in normalize_phrase(name) if w.isalpha() and len(w) >= 3 and w not in _COMMON_WORDS]
            common = [w for w in parts if _is_word(w)]
            if len(parts) > 1 and common:
                out.append(f"candidate {num}: {', '.join(repr(w) for w in common)} of {name!r} is an ordinary "
                           "word, matched only with an honorific (Pak, Bu, Kiai, ...); "
                           "list it as an alias to match it alone")
    return out
