"""NLP stage: detect an account's role (asn, organizer, candidate, other) from its name and bio.

Rules, not a model: each cue is a regular expression with a weight, and every decision carries
the spans that fired. Cues in the past or negated ("mantan ASN", "bukan PNS", "pensiunan") and
aspirations ("calon PNS", "pejuang CPNS") do not count. "PPK" is resolved by its neighbours:
election committee (PPK Kecamatan) or procurement official (Pejabat Pembuat Komitmen, an ASN).
A detected role is only a suggestion: a registry link always wins (see nlp.jobs.flag).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

ROLES = ("asn", "organizer", "candidate", "other")

_B = r"(?<![\w@#])"  # word start that is not inside a handle or hashtag
_E = r"(?!\w)"
_PARTY = (r"(?:pdi[ -]?p(?:erjuangan)?|gerindra|golkar|pkb|nasdem|pks|demokrat|pan|ppp|perindo|psi|hanura|"
          r"partai\s+\w+)")
_CAUSES = (r"(?:bencana|kemanusiaan|pmi|literasi|pendidikan|mengajar|medis|kesehatan|covid\w*|sosial|lingkungan|"
           r"pajak|desa|gereja|masjid|kampus|sekolah|pengajar|muda|jalanan|hewan|satwa|alam|banjir|gempa|"
           r"donor|darah|relawan|tik|teknologi|komunitas|olahraga|di|dan|untuk|yang|&|pemantau|pemilu|"
           r"demokrasi|kpu|bawaslu)\b")
_ELECTION_CTX = r"(?:pemilu|pilkada|pilpres|pileg|kpu|bawaslu|kec(?:amatan|\.)?|pemilihan|adhoc|ad hoc|badan ad)"
_PROCUREMENT_CTX = r"(?:pengadaan|barang|jasa|komitmen|satker|proyek|kontrak|tender|lpse|konstruksi|apbd|dipa|anggaran)"

# (role, weight, pattern). The strongest non-negated cue wins; ties go to the earlier role in PRIORITY.
CUES: list[tuple[str, float, str]] = [
    ("asn", 0.97, rf"{_B}(?:asn|pns|pppk|cpns|aparatur sipil negara|pegawai negeri(?: sipil)?){_E}"),
    ("asn", 0.97, r"(?<!\d)nip\.?\s*:?\s*\d[\d ]{15,22}\d"),
    ("asn", 0.95, r"(?<!\d)(?:19[5-9]\d|200\d)(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])\s?(?:19[7-9]\d|20[0-2]\d)"
                  r"(?:0[1-9]|1[0-2])\s?[12]\s?\d{3}(?!\d)"),
    ("asn", 0.93, rf"{_B}(?:abdi negara|birokrat|pejabat eselon|eselon (?:i|ii|iii|iv)|aparatur negara|"
                  rf"pejabat pembuat komitmen|widyaiswara|satpol pp){_E}"),
    ("asn", 0.9, rf"{_B}(?:kepala|kabid|kasi|kasubag|kasubbag|sekretaris|staf+|pegawai|kasubid|analis|pranata|"
                 rf"sekretariat|kabag)\b[^,|/•;\n]{{0,25}}(?:dinas|badan|pemkab|pemkot|pemprov|pemda|setda|"
                 rf"kementerian|kemen\w+|bkd|bkpsdm|bappeda|kecamatan|kelurahan|inspektorat|rsud|puskesmas|"
                 rf"bpkad|disdik\w*|dinkes|dishub|dukcapil|kanwil|kantor bupati|kantor wali ?kota)"),
    ("asn", 0.9, rf"{_B}(?:camat|sekcam|lurah|sekretaris camat|kadis|sekda|kepala dinas|kepala badan|"
                 rf"inspektur|guru pns|guru asn|dosen pns|dosen asn|bidan pns|perawat pns){_E}"),
    ("asn", 0.85, rf"{_B}(?:kepala|kepsek|kasek)\s+(?:sekolah\s+)?(?:sdn|smpn|sman|smkn|min|mtsn|man|"
                  rf"sd negeri|smp negeri|sma negeri|smk negeri)\b"),
    ("asn", 0.85, rf"{_B}(?:pegawai|staf+|pejabat)\s+(?:pajak|djp|ditjen\s+\w+|bea cukai|kpp|kppn|kanwil|"
                  rf"kemenkeu|kemenag|kemendikbud\w*|kemenkes|kemendagri|pemerintah daerah)\b"),
    # Structural posts of a regional government (kepala bidang/seksi/sub-bagian) and its agencies.
    ("asn", 0.85, rf"{_B}(?:kabid|kasi|kasubag|kasubbag|kabag|kasubid|kadis|kaban|sekdin)\b"),
    ("asn", 0.85, rf"{_B}(?:staf+|pegawai|kepala|kabid|kasi)\b[^,|/•;\n]{{0,25}}(?:bapenda|bappeda|bpbd|bkpsdm|"
                  rf"dp3a\w*|dinsos|disdukcapil|dpmptsp|diskominfo|bpkad|bkd|setwan|setda|biro)\b"),
    ("asn", 0.85, rf"{_B}(?:pemkab|pemkot|pemprov|pemda)\s+\w+"),
    ("asn", 0.85, rf"{_B}ppk\b[^|\n]{{0,40}}{_PROCUREMENT_CTX}|{_PROCUREMENT_CTX}[^|\n]{{0,30}}\bppk{_E}"),
    ("organizer", 0.97, rf"{_B}(?:anggota|ketua|komisioner|sekretaris|staf+|divisi|koordinator)?\s*"
                        rf"(?:kpu|kpud|kip|bawaslu|panwaslu|panwaslih|dkpp)(?:\s+\w+)?{_E}"),
    ("organizer", 0.96, rf"{_B}(?:kpps|pps|ptps|pkd|panwascam|pantarlih|pengawas tps|pengawas kelurahan|"
                        rf"pengawas desa|panitia pemungutan suara|panitia pemilihan kecamatan|"
                        rf"kelompok penyelenggara pemungutan suara|penyelenggara pemilu|petugas pemilu|"
                        rf"pengawas pemilu|petugas tps|anggota tps){_E}"),
    ("organizer", 0.94, rf"{_B}ppk\b[^|\n]{{0,30}}{_ELECTION_CTX}|{_ELECTION_CTX}[^|\n]{{0,30}}\bppk{_E}"),
    ("organizer", 0.6, rf"{_B}ppk{_E}"),  # bare PPK: most bios using it mean the election committee
    ("candidate", 0.97, rf"{_B}(?:calon|bakal calon|balon|cal0n)\s+(?:wakil\s+)?(?:bupati|wali ?kota|gubernur|"
                        rf"kepala daerah|legislatif|anggota dprd?\w*|dpr\w*|presiden|wakil presiden)"),
    ("candidate", 0.97, rf"{_B}(?:cabup|cawabup|cagub|cawagub|cawalkot|cawawalkot|caleg|bacaleg|bacabup|"
                        rf"bacagub|capres|cawapres|paslon|pasangan calon)\b"),
    ("candidate", 0.95, rf"{_B}(?:kader|pengurus|ketua|sekretaris|bendahara|wakil ketua|fungsionaris|anggota|"
                        rf"sekjen|waketum|ketum)\b[^,|/•;\n]{{0,20}}(?:dpc|dpd|dpw|dpp|pac|ranting|fraksi|{_PARTY})"),
    ("candidate", 0.95, rf"{_B}(?:anggota dprd?|anggota dewan|wakil rakyat|ketua dprd|fraksi\s+\w+)"),
    ("candidate", 0.95, rf"{_B}(?:tim sukses|timses|tim pemenangan|juru kampanye|jurkam|tim kampanye|"
                        rf"saksi paslon|koordinator relawan|korlap relawan|"
                        rf"akun resmi (?:paslon|partai|tim|pasangan|calon)|"
                        rf"official account)\b"),
    ("candidate", 0.93, rf"{_B}(?:dpc|dpd|dpw|dpp)\s+{_PARTY}"),
    ("candidate", 0.9, rf"{_B}(?:politisi|politikus|kader muda|anggota)\s+{_PARTY}"),
    ("candidate", 0.92, rf"{_B}relawan\b[^,|/•;\n]{{0,25}}?(?:paslon|pasangan|calon|nomor|no\.?\s?\d|0\d|capres|"
                        rf"cagub|cabup|cawalkot|pemenangan|{_PARTY}|pendukung|\w+\s*-\s*\w+)"),
    ("candidate", 0.9, rf"{_B}(?:partai\s+\w+|{_PARTY})\b.{{0,10}}(?:official|resmi)"),
    # "Relawan Arsyah", "Relawan BERSINAR": a volunteer of a named side, unless the cause is non-political.
    ("candidate", 0.8, rf"{_B}relawan\s+(?!{_CAUSES})[a-z0-9]+"),
    ("candidate", 0.9, rf"{_B}(?:akun|official)\s+(?:resmi\s+)?(?:dpc|dpd|dpw|dpp|partai)\b"),
]
PRIORITY = {"candidate": 0, "organizer": 1, "asn": 2}
# Words that cancel a cue when they precede it in the same clause (no punctuation between).
_NEGATORS = re.compile(
    r"(?:bukan|mantan|eks|ex|pensiunan|purna\w*|bekas|dulunya|dulu|pernah|calon|cita[- ]?cita|ingin jadi|"
    r"mau jadi|pengen jadi|pejuang|anak|istri|suami|keluarga|ayah|mama|papa|gagal|tes|daftar|persiapan|"
    r"bimbel|les|kursus|tryout|try out|info|lowongan|loker|formasi|seleksi|bukanlah|tidak|nggak|gak|"
    r"anti|benci|kritik|pemantau|pemerhati|peneliti|jurnalis|wartawan|meliput|liputan|pengamat|mitra|rekanan|"
    r"vendor)-?(?:\s+(?:seorang|sebagai|dari|jadi|di|para|sang))?(?:\s+[\w.-]+){0,1}\s*$"
)
# Statuses that say "not a civil servant" even next to an employer ("honorer di Dinas X").
_NON_ASN = re.compile(rf"{_B}(?:honorer|tenaga kontrak|thl|outsourcing|tenaga harian lepas|pegawai kontrak|"
                      rf"pegawai bumn|karyawan bumn|bumn|p3k paruh waktu){_E}")
_PAST_AFTER = re.compile(r"^\s*(?:\(?\s*(?:purna|pensiun|mantan|dulu|eks|\d{4}\s*-\s*\d{4})\b)")
_COMPILED = [(role, w, re.compile(p)) for role, w, p in CUES]


@dataclass
class RoleResult:
    role: str
    score: float
    evidence: list[dict] = field(default_factory=list)


def _norm(text: str) -> str:
    # NFKC folds fancy Unicode fonts; lower() keeps offsets for the Latin text bios are written in.
    text = unicodedata.normalize("NFKC", text or "")
    low = text.lower()
    return low if len(low) == len(text) else text


def _negated(text: str, start: int, end: int) -> str | None:
    clause = re.split(r"[,|/•;\n.()\[\]!?]", text[max(0, start - 40) : start])[-1]
    m = _NEGATORS.search(clause)
    if m:
        return m.group(0).strip()
    if _PAST_AFTER.match(text[end : end + 20]):
        return text[end : end + 20].strip()
    return None


def _scan(field_name: str, raw: str) -> tuple[list[dict], list[dict]]:
    text = _norm(raw)
    hits, cancelled = [], []
    for role, weight, rx in _COMPILED:
        for m in rx.finditer(text):
            start, end = m.span()
            while start < end and text[start].isspace():
                start += 1
            ev = {"field": field_name, "role": role, "text": raw[start:end], "start": start, "end": end,
                  "weight": weight}
            why = _negated(text, start, end)
            if role == "asn" and _NON_ASN.search(text) and not re.search(r"\b(?:asn|pns|pppk|nip)\b", text):
                why = why or "honorer"
            if why:
                cancelled.append({**ev, "cancelled_by": why})
            else:
                hits.append(ev)
    return hits, cancelled


def detect(bio: str | None, name: str | None = None) -> RoleResult:
    """Return the most likely role with the spans that support (or cancelled) it."""
    hits, cancelled = [], []
    for field_name, raw in (("name", name), ("bio", bio)):
        if raw:
            h, c = _scan(field_name, raw)
            hits += h
            cancelled += c
    hits = _drop_overlaps(hits)
    if not hits:
        score = 0.9 if not cancelled else 0.85
        return RoleResult("other", score, cancelled)
    best = max(hits, key=lambda e: (e["weight"], -PRIORITY[e["role"]]))
    # A strong cue for a higher-priority role wins over a weaker one (an ASN who is now a candidate).
    strong = [e for e in hits if e["weight"] >= 0.9]
    if strong:
        best = min(strong, key=lambda e: (PRIORITY[e["role"]], -e["weight"]))
    evidence = [e for e in hits if e["role"] == best["role"]] + cancelled
    return RoleResult(best["role"], best["weight"], evidence)


def _drop_overlaps(hits: list[dict]) -> list[dict]:
    """Keep one cue per span (the heaviest), so 'PPK' is not both committee and official."""
    kept: list[dict] = []
    for e in sorted(hits, key=lambda e: -e["weight"]):
        if not any(k["field"] == e["field"] and k["start"] < e["end"] and e["start"] < k["end"] for k in kept):
            kept.append(e)
    return sorted(kept, key=lambda e: (e["field"], e["start"]))
