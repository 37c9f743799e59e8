"""Benchmark: how often ordinary, non-political Indonesian posts are called `partisan` (issue #11).

Usage: python bench/false_partisan.py [--data /work/shared/data/indonlu] [--profile P] [--show N]

Sets, none of them trained on:
- `shipped eval`: nlp/data/indonlu_other_eval.jsonl (IndoNLU test split, political lines dropped);
- `test raw` / `test filtered`: the IndoNLU *test* splits (emotion tweets + SmSA reviews) read from the
  shared directory, all lines, then without the lines nlp.training.import_indonlu.POLITICAL drops
  (about 6% of the tweets are about politics, so the raw figure is an upper bound).
The profile (default: examples/profile.yaml) sets the candidates that can be matched.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))


def test_split(data: Path) -> list[str]:
    texts: list[str] = []
    emot = data / "emot_emotion-twitter" / "test_preprocess.csv"
    smsa = data / "smsa_doc-sentiment-prosa" / "test_preprocess.tsv"
    if emot.exists():
        with open(emot, encoding="utf-8") as fh:
            texts += [r["tweet"] for r in csv.DictReader(fh)]
    if smsa.exists():
        with open(smsa, encoding="utf-8") as fh:
            texts += [line.rsplit("\t", 1)[0] for line in fh if line.strip()]
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data/indonlu"))
    ap.add_argument("--profile", default=str(ROOT / "examples" / "profile.yaml"))
    ap.add_argument("--show", type=int, default=0, help="print up to N posts called partisan")
    args = ap.parse_args()

    from models.profile import load_profile
    from nlp.classifier import load
    from nlp.gazetteer import build
    from nlp.training.import_indonlu import POLITICAL

    clf = load()
    gaz = build(load_profile(args.profile))
    with open(ROOT / "nlp" / "data" / "indonlu_other_eval.jsonl", encoding="utf-8") as fh:
        shipped = [json.loads(line)["text"] for line in fh if line.strip()]
    raw = test_split(args.data)
    sets = {"shipped eval": shipped, "test raw": raw, "test filtered": [t for t in raw if not POLITICAL.search(t)]}
    out = {}
    for name, texts in sets.items():
        if not texts:
            continue
        preds = clf.predict(texts, gaz)
        hits = [t for t, p in zip(texts, preds, strict=True) if p.label == "partisan"]
        out[name] = {"n": len(texts), "partisan": len(hits), "rate_percent": round(100 * len(hits) / len(texts), 3)}
        for t in hits[: args.show]:
            print(f"  [{name}] {t[:200]}", file=sys.stderr)
    print(json.dumps({"profile": Path(args.profile).name, **out}))


if __name__ == "__main__":
    main()
