"""NLP stage: normalize Indonesian social-media text into tokens with character spans.

Pure functions, no database. spaCy's blank ``id`` language gives the tokens (it keeps URLs,
@mentions and #hashtags whole); every other step is a cached per-token lookup so that a batch
costs little more than the tokenizer itself.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import srsly

DATA = Path(__file__).parent / "data"  # shipped: the gazetteer's lexicon; the default of NETRAL_NLP_DATA_DIR
DATA_DIR_ENV = "NETRAL_NLP_DATA_DIR"


def data_dir() -> Path:
    """Where training and evaluation read their corpus and held-out sets: NETRAL_NLP_DATA_DIR, else nlp/data.

    Read at each call. The gazetteer's lexicon is not training data: it is always the shipped DATA's.
    """
    return Path(os.environ.get(DATA_DIR_ENV) or DATA)


# Slang and abbreviations seen on Indonesian social media, on top of spacy-lookups-data's
# `id_lexeme_norm` table. Targets are standard forms so "gak"/"ga"/"nggak" share one feature.
SLANG = {
    "ga": "tidak", "gk": "tidak", "g": "tidak", "gak": "tidak", "nggak": "tidak", "ngga": "tidak",
    "enggak": "tidak", "tdk": "tidak", "kagak": "tidak", "gaada": "tidak ada", "gada": "tidak ada",
    "yg": "yang", "yng": "yang", "bgt": "banget", "bngt": "banget", "dgn": "dengan", "dg": "dengan",
    "utk": "untuk", "u/": "untuk", "buat": "untuk", "sm": "sama", "ama": "sama", "aja": "saja",
    "aj": "saja", "udh": "sudah", "udah": "sudah", "dah": "sudah", "sdh": "sudah", "blm": "belum",
    "blum": "belum", "bs": "bisa", "bisa2": "bisa", "jd": "jadi", "jdi": "jadi", "krn": "karena",
    "karna": "karena", "tp": "tapi", "tpi": "tapi", "sy": "saya", "aku": "saya", "gue": "saya",
    "gw": "saya", "gua": "saya", "ak": "saya", "lu": "kamu", "lo": "kamu", "loe": "kamu",
    "km": "kamu", "kmu": "kamu", "kalo": "kalau", "klo": "kalau", "kl": "kalau", "org": "orang",
    "orng": "orang", "skrg": "sekarang", "skrang": "sekarang", "bsk": "besok", "besuk": "besok",
    "tgl": "tanggal", "pk": "pak", "bpk": "bapak", "bp": "bapak", "bu": "ibu", "msh": "masih",
    "lg": "lagi", "dr": "dari", "dri": "dari", "trs": "terus", "trus": "terus", "emg": "memang",
    "emang": "memang", "pd": "pada", "ayok": "ayo", "yuk": "ayo", "yok": "ayo", "yuks": "ayo",
    "kuy": "ayo", "ayuk": "ayo", "mantul": "mantap", "mantab": "mantap", "mntp": "mantap",
    "nyoblos": "coblos", "dicoblos": "coblos", "nyalon": "mencalonkan", "milih": "pilih",
    "no": "nomor", "nmr": "nomor", "nomer": "nomor", "no.": "nomor", "nmor": "nomor",
    "dpn": "depan", "bnyk": "banyak", "byk": "banyak", "tau": "tahu", "gimana": "bagaimana",
    "gmn": "bagaimana", "gmna": "bagaimana", "knp": "kenapa", "kyk": "kayak", "kek": "kayak",
    "sampe": "sampai", "smpe": "sampai", "ntar": "nanti", "nnti": "nanti", "wkt": "waktu",
    "bener": "benar", "bnr": "benar", "pengen": "ingin", "pgn": "ingin", "pingin": "ingin",
    "mau": "mau", "mo": "mau", "dpt": "dpt", "thn": "tahun", "th": "tahun", "rb": "ribu",
    "jt": "juta", "bgmn": "bagaimana", "sbg": "sebagai", "spy": "supaya", "jgn": "jangan",
    "jg": "juga", "jga": "juga", "dl": "dulu", "dlu": "dulu", "ok": "oke", "okey": "oke",
    "thx": "terima kasih", "makasih": "terima kasih", "mksh": "terima kasih", "trims": "terima kasih",
    "pilkades": "pilkades", "cawalkot": "cawalkot", "pemda": "pemda", "wa": "whatsapp",
    "kec": "kecamatan", "kab": "kabupaten", "kel": "kelurahan", "prov": "provinsi",
    "tim-ses": "timses", "paslon-nya": "paslon", "paslonnya": "paslon", "calonnya": "calon",
    "ktp": "ktp", "e-ktp": "ektp", "moneypolitik": "money politic", "duit": "uang", "doku": "uang",
    "cuan": "uang", "gocap": "lima puluh ribu", "goceng": "lima ribu", "cepek": "seratus",
}

NUMBER_WORDS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7}
# Emoji that stand for a ballot number in campaign posts (one finger, two fingers / victory sign).
FINGER_EMOJI = {"☝": 1, "✌": 2, "🤟": 3}
_INVISIBLE = dict.fromkeys(map(ord, "\ufe0f\ufe0e\u200d\u200b\u200c\u2060"), None)
_KEYCAP = "\u20e3"
_ELONGATION = re.compile(r"([a-z])\1{2,}")
_REDUP = re.compile(r"^([a-z]{2,})2$")
_NUMCUE = re.compile(r"^(?:no|nmr|nomor|nomer|paslon|nourut)\.?(\d{1,2})$")
_CLITIC = re.compile(r"^([a-z0-9]{2,})-(nya|ku|mu|lah|pun|kah)$")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_GLUED_TAG = re.compile(r"^([^#\s]+?)(#[^\W_][\w]{2,})$")
_YEAR_WORD = re.compile(r"^((?:19|20)\d\d)([a-z]{3,})$")
_SKINTONE = re.compile("[\U0001f3fb-\U0001f3ff]")


@lru_cache(maxsize=1)
def slang_table() -> dict[str, str]:
    """Return the merged slang table: spaCy's Indonesian norms, then ours (ours win)."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "id_lexeme_norm.json.gz"
    table = {k.lower(): v.lower() for k, v in srsly.read_gzip_json(path).items()}
    table.update(SLANG)
    return table


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """Return spaCy's Indonesian lemma lookup (memilih -> pilih) used to pool word forms."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "id_lemma_lookup.json.gz"
    return srsly.read_gzip_json(path)


@lru_cache(maxsize=1)
def tokenizer():
    """Return spaCy's rule-based Indonesian tokenizer (no model download needed)."""
    import spacy

    return spacy.blank("id").tokenizer


class _TextExtractor(HTMLParser):
    """Collect the visible text of a Mastodon HTML status; scripts and styles are dropped."""

    _BREAKS = {"br", "p", "div", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def strip_html(text: str) -> str:
    """Return the visible text of HTML (Mastodon content); plain text is returned unchanged."""
    if "<" not in text or not _TAG.search(text):
        return text  # plain text keeps its offsets, so reason spans point into the original
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return html.unescape("".join(parser.parts)).strip()


def split_hashtag(tag: str) -> tuple[str, ...]:
    """Split '#CoblosNomor2' into ('coblos', 'nomor', '2') using case and digit boundaries."""
    body = unicodedata.normalize("NFKC", tag).lstrip("#")
    parts = _CAMEL.findall(body) or [body]
    out: list[str] = []
    for part in parts:
        out.extend(_norm_word(part.lower()).split())
    return tuple(out)


def _norm_word(word: str) -> str:
    word = _ELONGATION.sub(r"\1", word)  # bangeeet -> banget, mantaaap -> mantap
    red = _REDUP.match(word)
    if red:  # bagi2 -> bagi-bagi
        word = f"{red.group(1)}-{red.group(1)}"
    return slang_table().get(word, word)


@lru_cache(maxsize=200_000)
def normalize_token(raw: str) -> tuple[str, ...]:
    """Map one raw token to zero or more normalized forms (cached: social text repeats a lot)."""
    text = _SKINTONE.sub("", unicodedata.normalize("NFKC", raw))
    if _KEYCAP in text:
        digits = text.replace(_KEYCAP, "").translate(_INVISIBLE)
        return (f"<kc:{digits}>",) if digits.isdigit() else ()
    text = text.translate(_INVISIBLE)
    if not text or text.isspace():
        return ()
    if text in FINGER_EMOJI:
        return (f"<jari:{FINGER_EMOJI[text]}>",)
    low = text.lower()
    if low.startswith(("http://", "https://", "www.")):
        return ("__url__",)
    if low.startswith("#") and len(low) > 1:
        return (low,)  # split later, after the profile's hashtags had their chance to match
    glued = _GLUED_TAG.match(low)
    if glued:  # "👉#GantiPresiden", "ok#2019GantiPresiden": a hashtag glued to what precedes it
        return tuple(normalize_token(glued.group(1))) + (glued.group(2),)
    year = _YEAR_WORD.match(low)
    if year:  # "2019ganti": a year glued to a word, as in slogans typed without a space
        return (year.group(1),) + tuple(_norm_word(year.group(2)).split())
    if low.startswith("@") and len(low) > 1:
        return (low.rstrip(".:,"),)
    clitic = _CLITIC.match(low)
    if clitic:  # "TPS-nya" -> tps nya, so the gazetteer still sees "tps"
        return tuple(_norm_word(clitic.group(1)).split()) + (clitic.group(2),)
    cue = _NUMCUE.match(low)
    if cue:  # "no.2", "paslon02" -> nomor 02
        return ("nomor", cue.group(1))
    return tuple(_norm_word(low).split())


@dataclass
class Tokens:
    """Normalized tokens of one text and, for each, the character span of the raw token it came from."""

    text: str
    norms: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    @property
    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self.starts, self.ends, strict=False))


# orth id -> (normalized forms, raw length, the single form or None). Orth ids are stable hashes of
# the token text, so each distinct token is normalized once per process.
_ORTH_CACHE: dict[int, tuple[tuple[str, ...], int, str | None]] = {}


def _orth_entry(orth: int) -> tuple[tuple[str, ...], int, str | None]:
    raw = tokenizer().vocab.strings[orth]
    forms = normalize_token(raw)
    entry = _ORTH_CACHE[orth] = (forms, len(raw), forms[0] if len(forms) == 1 else None)
    return entry


def analyze(texts, batch_size: int = 1000) -> list[Tokens]:
    """Tokenize and normalize many texts in one spaCy pass.

    Tokens are read as (offset, orth id) arrays rather than Token objects and mapped through a
    per-orth cache with list comprehensions: a Python object per word cost more than the tokenizer.
    """
    from spacy.attrs import IDX, ORTH

    cleaned = [strip_html(t or "") for t in texts]
    get = _ORTH_CACHE.get
    out = []
    for text, doc in zip(cleaned, tokenizer().pipe(cleaned, batch_size=batch_size), strict=False):
        arr = doc.to_array([IDX, ORTH])
        idxs, orths = arr[:, 0].tolist(), arr[:, 1].tolist()
        entries = [get(o) or _orth_entry(o) for o in orths]
        singles = [e[2] for e in entries]
        if None not in singles:  # the usual case: one form per token
            out.append(Tokens(text, singles, idxs, [i + e[1] for i, e in zip(idxs, entries, strict=False)]))
            continue
        toks = Tokens(text)
        for idx, (forms, length, _single) in zip(idxs, entries, strict=False):
            for form in forms:
                toks.norms.append(form)
                toks.starts.append(idx)
                toks.ends.append(idx + length)
        out.append(toks)
    return out


def normalize_phrase(phrase: str) -> tuple[str, ...]:
    """Normalize a gazetteer phrase exactly as post text is normalized, so the two match."""
    toks = analyze([phrase])[0]
    return tuple(toks.norms)


@lru_cache(maxsize=200_000)
def lemma(norm: str) -> str:
    """Return the lemma of a normalized word (dukungan -> dukung); placeholders pass through."""
    if norm.startswith("_"):
        return norm
    if norm.isdigit():
        return "__angka__"
    return lemma_table().get(norm, norm)
