"""Build the training corpus (train.jsonl) from the grammar, fictional elections and real text.

Run: python -m nlp.training.generate   (deterministic: same seed, same file, same SHA-256)
Each generated example belongs to a fictional election whose profile is written to
train_profiles.json, so training masks names exactly as `netral classify --profile` will.
Real IndoNLU tweets and reviews (Apache-2.0, see SOURCES.md) add everyday `other` text.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from nlp.training.grammar import S as BASE
from nlp.training.grammar_extra import EXTRA
from nlp.training.grammar_stance import STANCE

S = {k: BASE.get(k, []) + EXTRA.get(k, []) + STANCE.get(k, []) for k in {*BASE, *EXTRA, *STANCE}}
S["partisan"] = S["partisan"] + S["partisan_stance"]
NAMING_INFO = [t for t in S["election_info"] if "{cand" in t or "{num" in t] + S["info_naming"]
# Share of `other` posts that name a candidate or party without taking a side (issue #11: a mention is
# not a stance), and of everyday posts with numbers or name-like words.
NAMING_OTHER_SHARE, EVERYDAY_OTHER_SHARE = 0.45, 0.12

HERE = Path(__file__).parents[1] / "data"  # the corpus is data: it lives in nlp/data/
SEED = 20241127

FIRST = ["Ahmad", "Rudi", "Hendri", "Joko", "Suryo", "Bambang", "Agus", "Dedi", "Fajar", "Irwan",
         "Yusuf", "Taufik", "Arief", "Rizal", "Andi", "Darmawan", "Eko", "Gilang", "Hasan", "Imam",
         "Kurnia", "Lukman", "Mulyadi", "Nanang", "Oki", "Priyo", "Rahmat", "Sugeng", "Teguh", "Umar",
         "Wahyu", "Yanto", "Zulkifli", "Sri", "Ratna", "Yuliana", "Wulan", "Fitri", "Kartini", "Melati",
         "Nadia", "Puspita", "Rahayu", "Sinta", "Tuti", "Umi", "Vivi", "Winda", "Yanti", "Zahra",
         "Erna", "Lilis", "Marlina", "Novita", "Hartini", "Anisa", "Bayuaji", "Cahyono", "Dimas", "Edwin"]
LAST = ["Prasetyo", "Wibowo", "Hidayat", "Saputro", "Nugroho", "Siregar", "Nasution", "Harahap",
        "Pratama", "Setiawan", "Kusuma", "Santika", "Lubis", "Tanjung", "Syahputra", "Rangkuti",
        "Wijayakusuma", "Mahendra", "Purnomo", "Susanto", "Hakim", "Ramadhan", "Firmansyah", "Gunadi",
        "Hutapea", "Pane", "Daulay", "Simanjuntak", "Marpaung", "Sembiring", "Tarigan", "Ginting",
        "Manurung", "Sitompul", "Pardede", "Maulana", "Iskandar", "Rachman", "Suherman", "Kurniawan"]
REGIONS = ["Kabupaten Banyumas", "Kota Tegal", "Kabupaten Klaten", "Kota Pekalongan", "Kabupaten Garut",
           "Kabupaten Subang", "Kota Cirebon", "Kabupaten Jember", "Kota Kediri", "Kabupaten Lamongan",
           "Kota Padang", "Kabupaten Agam", "Kota Medan", "Kabupaten Deli Serdang", "Kota Pontianak",
           "Kabupaten Kubu Raya", "Kota Kendari", "Kabupaten Konawe", "Kota Ambon", "Kabupaten Maros",
           "Provinsi Jambi", "Provinsi Bengkulu", "Provinsi Lampung", "Kota Palu", "Kabupaten Sigi",
           "Kota Mataram", "Kabupaten Lombok Timur", "Kota Kupang", "Kabupaten Sikka", "Kota Tarakan"]
PLACES = ["Sukamaju", "Karangrejo", "Tanjungsari", "Sidomulyo", "Pasir Putih", "Cibeureum", "Kebonagung",
          "Talang Jaya", "Air Hitam", "Sungai Lala", "Bojongsari", "Mekarsari", "Wonosari", "Suka Damai",
          "Padang Sidempuan", "Lubuk Baru", "Bukit Tinggi", "Rantau Panjang", "Kampung Baru", "Teluk Dalam",
          "Batu Ampar", "Kota Lama", "Pematang", "Gunung Sari", "Tegalrejo", "Ngemplak", "Bangunharjo"]
NAMA_BIASA = ["Dika", "Rara", "Bima", "Salsa", "Putra", "Nisa", "Fauzan", "Keisha", "Raka", "Tiara"]
ALIAS_WORDS = ["AMANAH", "BERKAH", "SEJATI", "HEBAT", "BERSATU", "MANTAP", "JUARA", "SAHABAT", "CERIA",
               "TANGGUH", "MAJU JAYA", "BANGKIT", "SINERGI", "PERUBAHAN", "HARMONI", "RAMAH"]
PARTIES = ["PDI Perjuangan", "Gerindra", "Golkar", "PKB", "NasDem", "PKS", "Demokrat", "PAN", "PPP",
           "Perindo", "PSI", "Hanura", "Partai Buruh", "Partai Gelora", "Partai Ummat"]


def make_election(rng: random.Random, idx: int) -> dict:
    """Invent one election profile (dict shaped like models.profile.ElectionProfile)."""
    region = REGIONS[idx % len(REGIONS)]
    n = rng.choice([2, 2, 3, 3, 4])
    parties = rng.sample(PARTIES, k=min(len(PARTIES), 2 * n))
    cands = []
    for num in range(1, n + 1):
        a = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        b = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        alias = rng.choice(ALIAS_WORDS)
        short = a.split()[0][:3].upper() + b.split()[0][:3].upper()
        cands.append({
            "number": num, "names": [a, b],
            # The surname is listed as an alias, as an operator would ("Jokowi", "Prabowo"): a word split
            # from a full name is not matched alone unless listed.
            "aliases": [f"Pak {a.split()[0]}", alias, f"{a.split()[0]}-{b.split()[0]}", a.split()[-1],
                        a.split()[0]],
            "parties": parties[2 * (num - 1): 2 * num],
            "hashtags": [f"#{alias.title().replace(' ', '')}{num:02d}", f"#{short}"],
            "accounts": [{"platform": "bluesky", "handle": f"{alias.lower().replace(' ', '')}{num:02d}.bsky.social"}],
        })
    return {"id": f"train-{idx}", "election": {"region": region}, "candidates": cands}


def cand_ref(rng: random.Random, c: dict, full: bool = False) -> str:
    """A way people refer to a candidate: names, nicknames, alias, ballot number, hashtag."""
    a, b = c["names"]
    n = c["number"]
    if full:
        return rng.choice([f"{a} - {b}", f"{a} dan {b}", f"{a}-{b}", f"pasangan {a}-{b}"])
    return rng.choice([
        f"{a}-{b}", f"{a} - {b}", a, f"pak {a.split()[0]}", f"bu {b.split()[0]}", a.split()[-1],
        c["aliases"][1], c["aliases"][2], f"paslon {n}", f"paslon {n:02d}", f"nomor {n}", f"no {n}",
        f"{a.split()[0]} {b.split()[0]}", f"{c['aliases'][1]} {n:02d}", f"{a.split()[0]}",
        f"pasangan nomor urut {n}", f"paslon nomor urut {n:02d}", f"{c['aliases'][0]}",
    ])


def cand_name(rng: random.Random, c: dict) -> str:
    """A way news and everyday posts name a person: names, surname, honorific; no ballot number."""
    a, b = c["names"]
    return rng.choice([a, a, a.split()[-1], a.split()[-1], f"Pak {a.split()[-1]}", c["aliases"][0], b,
                       f"{a.split()[0]}-{b.split()[0]}", f"{a} dan {b}", f"bu {b.split()[0]}"])


def expand(rng: random.Random, template: str, slots: dict) -> str:
    """Fill {slots} recursively; example-specific slots override the grammar."""
    def repl(m: re.Match) -> str:
        key = m.group(1)
        if key in slots:
            val = slots[key]
            val = val() if callable(val) else val
        else:
            val = rng.choice(S[key])
        return expand(rng, val, slots) if "{" in val else val
    return re.sub(r"\{(\w+)\}", repl, template)


SLANG_OUT = [("yang", "yg"), ("tidak", "gak"), ("dengan", "dgn"), ("untuk", "utk"), ("sudah", "udah"),
             ("banget", "bgt"), ("karena", "krn"), ("kalau", "kalo"), ("jangan", "jgn"), ("saja", "aja"),
             ("tapi", "tp"), ("belum", "blm"), ("sama", "sm"), ("nomor", "no"), ("juga", "jg")]


def noisy(rng: random.Random, text: str) -> str:
    """Add the surface noise of real posts: slang, case, elongation, typos, emoji, fillers."""
    if rng.random() < 0.5:
        for std, slang in SLANG_OUT:
            if rng.random() < 0.6:
                text = re.sub(rf"\b{std}\b", slang, text)
    r = rng.random()
    if r < 0.35:
        text = text.lower()
    elif r < 0.42:
        text = text.upper()
    elif r < 0.7:
        text = text[:1].upper() + text[1:]
    words = text.split()
    if words and rng.random() < 0.25:
        i = rng.randrange(len(words))
        w = words[i]
        if w.isalpha() and len(w) > 3:
            j = rng.randrange(1, len(w))
            words[i] = w[:j] + w[j - 1] * rng.randint(2, 4) + w[j:]  # elongation
    if words and rng.random() < 0.15:
        i = rng.randrange(len(words))
        w = words[i]
        if w.isalpha() and len(w) > 4:
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + w[j + 1:]  # typo: dropped letter
    text = " ".join(words)
    if rng.random() < 0.2:
        text = rng.choice(["Wkwk ", "Min, ", "Gaes, ", "Alhamdulillah ", "Bismillah, ", "Mantap, ",
                           "Info: ", "RT ", "Duh ", "Pagi semua, "]) + text
    u = rng.random()
    if u < 0.15:  # how exported tweets look: handles and links replaced by USER and URL
        text = rng.choice(["USER ", "USER USER ", "RT USER: ", "USER USER USER "]) + text
    elif u < 0.2:
        text += " URL"
    if rng.random() < 0.2:
        text += rng.choice([" !!", " 🙏", " 🔥🔥", " ...", " 😂", " #viral", " #fyp", " @kawan_kita", ""])
    return re.sub(r"\s+", " ", text).strip()


def example(rng: random.Random, label: str, elections: list[dict]) -> dict:
    el = rng.choice(elections)
    c, *others = rng.sample(el["candidates"], k=len(el["candidates"]))
    r = others[0]
    region_full = el["election"]["region"]
    region = region_full.split(" ", 1)[1] if rng.random() < 0.6 else region_full
    slots = {
        "cand": lambda: cand_ref(rng, c), "rival": lambda: cand_ref(rng, r),
        "cand_full": lambda: cand_ref(rng, c, full=True), "rival_full": lambda: cand_ref(rng, r, full=True),
        "num": str(c["number"]), "rival_num": str(r["number"]), "num_padded": f"{c['number']:02d}",
        "num_ref": lambda: rng.choice([f"nomor {c['number']}", f"no {c['number']}", f"{c['number']:02d}",
                                       f"paslon {c['number']}", f"nomor urut {c['number']}",
                                       ["☝️", "✌️", "3️⃣", "4️⃣"][c["number"] - 1]]),
        "cand_nm": lambda: cand_name(rng, c), "rival_nm": lambda: cand_name(rng, r),
        "cand_plain": lambda: rng.choice([c["names"][0], c["names"][0].split()[0], f"pak {c['names'][0].split()[0]}"]),
        "cand_tag": lambda: rng.choice(c["hashtags"]),
        "party": lambda: rng.choice(c["parties"] or ["Golkar"]),
        "region": region, "region_tag": region.replace(" ", ""),
        "place": lambda: rng.choice(PLACES), "nama_biasa": lambda: rng.choice(NAMA_BIASA),
        "jari": lambda: rng.choice([f"{['satu', 'dua', 'tiga', 'empat'][c['number'] - 1]} jari",
                                    f"{c['number']} jari"]),
    }
    templates = S[label]
    if label == "election_info" and rng.random() < 0.35:
        # Neutral news that names a candidate is what keeps a name from meaning "partisan".
        templates = NAMING_INFO
    elif label == "other":
        u = rng.random()
        if u < NAMING_OTHER_SHARE:
            templates = S["other_naming"]
        elif u < NAMING_OTHER_SHARE + EVERYDAY_OTHER_SHARE:
            templates = S["other_everyday"]
    text = noisy(rng, expand(rng, rng.choice(templates), slots))
    return {"text": text, "label": label, "profile": el["id"]}


_GAZ: dict[str, object] = {}


def names_a_target(text: str, election: dict) -> bool:
    """True when the election's gazetteer finds a candidate, ballot number, hashtag, party or account."""
    from nlp.features import TARGETS, extract
    from nlp.gazetteer import build

    gaz = _GAZ.get(election["id"]) or _GAZ.setdefault(election["id"], build(election))
    counts = extract([text], gaz)[0].counts
    return any(counts.get(t) for t in TARGETS)


def real_other(limit_tweets: int, limit_reviews: int) -> list[dict]:
    """Real everyday Indonesian text (IndoNLU, filtered to drop political lines)."""
    out = []
    for name, limit in (("indonlu_other_train.jsonl", limit_tweets),):
        with open(HERE / name, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh]
        out.extend({"text": r["text"], "label": "other", "profile": None, "source": r["source"]}
                   for r in rows[:limit])
    return out


def main() -> None:
    rng = random.Random(SEED)
    elections = [make_election(rng, i) for i in range(60)]
    rows = []
    by_id = {e["id"]: e for e in elections}
    for label, n in (("partisan", 3200), ("election_info", 3200), ("other", 4600)):
        seen = set()
        while len(seen) < n:
            ex = example(rng, label, elections)
            if label == "partisan" and not names_a_target(ex["text"], by_id[ex["profile"]]):
                continue  # noise hid the candidate ("nomor 1" with no election word): not a stance ON anyone
            if ex["text"] not in seen:
                seen.add(ex["text"])
                rows.append(ex)
    rows.extend(real_other(4000, 0))
    rng.shuffle(rows)
    with open(HERE / "train.jsonl", "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(HERE / "train_profiles.json", "w", encoding="utf-8") as fh:
        json.dump({e["id"]: e for e in elections}, fh, ensure_ascii=False, indent=0)
    print(f"wrote {len(rows)} examples, {len(elections)} fictional elections")


if __name__ == "__main__":
    main()
