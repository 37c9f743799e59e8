"""Benchmark: the classifier on REAL hand-labelled Indonesian tweets (issue #11), split dev / blind.

Usage: python bench/realdev.py [--dir /work/shared/data/realdev] [--errors N] [--half dev|blind|all]

The set is read from the shared directory at run time; nothing of it is committed (its licence,
CC BY-NC-SA 4.0, allows evaluation only: never copy it into the repo or train on it).
Items are split deterministically by sha256(id): the first hex digit < 8 is the *dev* half (errors
may be inspected), the rest is the *blind* half (only scored, never inspected or tuned on).
Prints partisan precision / recall / F1 per half (all items and without borderline items), and
`--errors N` lists false and missed partisan items of the dev half only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

DEFAULT_DIR = Path("/work/shared/data/realdev")
LABELS = ("partisan", "election_info", "other")


def half(item_id: str) -> str:
    """'dev' or 'blind', fixed by the id alone (about half each)."""
    return "dev" if int(hashlib.sha256(item_id.encode()).hexdigest()[0], 16) < 8 else "blind"


def score(items: list[dict], preds: dict[str, dict]) -> dict:
    tp = fp = fn = 0
    fp_other = n_other = 0
    conf: Counter = Counter()
    for it in items:
        gold = it["label"]
        pred = preds.get(it["id"], {}).get("label", "other")
        conf[(gold, pred)] += 1
        tp += gold == "partisan" and pred == "partisan"
        fp += gold != "partisan" and pred == "partisan"
        fn += gold == "partisan" and pred != "partisan"
        if gold == "other":
            n_other += 1
            fp_other += pred == "partisan"
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"n": len(items), "tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3),
            "f1": round(f, 3), "false_partisan_on_other": f"{fp_other}/{n_other}",
            "confusion": {g: {q: conf[(g, q)] for q in LABELS} for g in LABELS}}


def classify(items: list[dict], profile_path: Path) -> dict[str, dict]:
    from models.profile import load_profile
    from nlp.classifier import load
    from nlp.gazetteer import build

    gaz = build(load_profile(str(profile_path)))
    texts = [it["text"] for it in items]  # what `netral classify` reads
    preds = load().predict(texts, gaz)
    return {it["id"]: {"label": p.label, "score": p.score, "reasons": p.reasons}
            for it, p in zip(items, preds, strict=True)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--errors", type=int, default=0, help="list up to N partisan errors of the DEV half")
    ap.add_argument("--half", choices=("dev", "blind", "all"), default="dev",
                    help="score the blind half only for the final, honest figure")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = ap.parse_args()
    path = args.dir / "ibrohim_dev320.jsonl"
    if not path.exists():
        sys.exit(f"{path}: not found (the real dev set is not shipped; see issue #11)")
    with open(path, encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    preds = classify(items, args.dir / "pilpres2019.yaml")
    halves = {"dev": [it for it in items if half(it["id"]) == "dev"],
              "blind": [it for it in items if half(it["id"]) == "blind"], "all": items}
    out = {}
    for name in (("dev", "blind", "all") if args.half == "all" else (args.half,)):
        sel = halves[name]
        out[name] = score(sel, preds)
        out[name + "_no_borderline"] = score([it for it in sel if not it.get("borderline")], preds)
    if args.json:
        print(json.dumps(out))
    else:
        for name, m in out.items():
            print(f"{name:20s} n={m['n']:3d}  partisan P {m['precision']:.3f} R {m['recall']:.3f} "
                  f"F1 {m['f1']:.3f} (tp {m['tp']}, fp {m['fp']}, fn {m['fn']}); "
                  f"false partisan on other {m['false_partisan_on_other']}")
    if args.errors:
        shown = 0
        for it in halves["dev"]:
            p = preds[it["id"]]
            if (it["label"] == "partisan") == (p["label"] == "partisan"):
                continue
            if shown == args.errors:
                break
            shown += 1
            kind = "FALSE" if p["label"] == "partisan" else "MISSED"
            ents = [f"{r['category']}:{r['text']}" for r in p["reasons"] if r["kind"] == "entity"]
            terms = [r["term"] for r in p["reasons"] if r["kind"] == "term"]
            print(f"\n{kind} {it['id']} gold={it['label']} pred={p['label']} {p['score']:.2f} "
                  f"border={it.get('borderline')}\n  {it['text'][:300]}\n  note: {it.get('note', '')}\n"
                  f"  ents {ents}\n  terms {terms}")


if __name__ == "__main__":
    main()
