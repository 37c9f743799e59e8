"""Copy real everyday Indonesian text from IndoNLU (Apache-2.0) as `other` examples.

Run: python -m nlp.training.import_indonlu [/path/to/indonlu]
About 6% of the emotion tweets are political; lines matching POLITICAL are dropped so that
only non-election text is labelled `other`. Train comes from IndoNLU train+valid, our
evaluation set from IndoNLU test, so no line is in both.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parents[1] / "data"  # the imported sets are data: they live in nlp/data/
DEFAULT = Path("/work/shared/data/indonlu")
POLITICAL = re.compile(
    r"presiden|jokowi|prabowo|pil(pres|kada|gub|bup|eg)|pemilu|partai|\bdpr|capres|cawapres|ganti|"
    r"kampanye|politi|ahok|anies|pemerintah|korup|pilih|coblos|2019|calon|sandi|\bamin\b|kpu|bawaslu|"
    r"cebong|kampret|menteri|pdip|gerindra|demokrat|golkar|\bpks\b|rezim|oposisi|umat|negara|rakyat|"
    r"dukung|\btps\b|suara|gubernur|bupati|wali ?kota|dewan|asn|pns|ulama|#\w*2019|islam|kafir|habib",
    re.I,
)


def _tweets(path: Path):
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield row["tweet"], "indonlu/emot_emotion-twitter/" + path.name


def _reviews(path: Path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            text = line.rsplit("\t", 1)[0].strip()
            if text:
                yield text, "indonlu/smsa_doc-sentiment-prosa/" + path.name


def collect(root: Path, split: str, reviews: int) -> list[dict]:
    emot, smsa = root / "emot_emotion-twitter", root / "smsa_doc-sentiment-prosa"
    files = ["train_preprocess", "valid_preprocess"] if split == "train" else ["test_preprocess"]
    rows = []
    for name in files:
        rows += [{"text": t, "source": s} for t, s in _tweets(emot / f"{name}.csv")]
    n = 0
    for name in files:
        for t, s in _reviews(smsa / f"{name}.tsv"):
            if n < reviews:
                rows.append({"text": t, "source": s})
                n += 1
    keep = [r for r in rows if not POLITICAL.search(r["text"])]
    for i, r in enumerate(keep):  # IndoNLU masks handles and links; put realistic ones back
        r["text"] = re.sub(r"\[USERNAME\]", lambda m, i=i: f"@{HANDLES[(i + m.start()) % len(HANDLES)]}", r["text"])
        r["text"] = r["text"].replace("[URL]", "https://t.co/x1Yz")
    return keep


HANDLES = ["dinda_22", "rezaaa", "cs_bank", "tokobaju", "kak_rini", "bimo_id", "ojol_help", "mamah_cantik"]


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    seen: set[str] = set()
    for split, reviews, out in (("train", 900, "indonlu_other_train.jsonl"), ("eval", 120, "indonlu_other_eval.jsonl")):
        rows = [r for r in collect(root, split, reviews) if r["text"] not in seen]  # IndoNLU repeats some lines
        seen.update(r["text"] for r in rows)
        with open(HERE / out, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(out, len(rows))


if __name__ == "__main__":
    main()
