"""NLP stage: measure the classifier and role detector on held-out sets; write nlp/MODEL_CARD.md.

The held-out posts (eval_posts.tsv) and bios (eval_bios.tsv) were written by hand, separately
from the training grammar, about a fictional election (eval_profile.yaml) whose names, region,
hashtags and parties never occur in training. Real IndoNLU test tweets (never in training) add
everyday `other` text.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml

from nlp.classifier import LABELS, MODEL_DIR, Classifier, load, pedigree
from nlp.gazetteer import build
from nlp.text import DATA

CARD = Path(__file__).parent / "MODEL_CARD.md"
REAL_OTHER_EVAL = 150  # IndoNLU test lines added to the hand-written `other` posts


def read_tsv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def eval_posts() -> tuple[list[str], list[str]]:
    rows = read_tsv(DATA / "eval_posts.tsv")
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    with open(DATA / "indonlu_other_eval.jsonl", encoding="utf-8") as fh:
        real = [json.loads(line)["text"] for line in fh][:REAL_OTHER_EVAL]
    return texts + real, labels + ["other"] * len(real)


def eval_profile() -> dict:
    return yaml.safe_load((DATA / "eval_profile.yaml").read_text(encoding="utf-8"))


def classification_metrics(gold: list[str], pred: list[str]) -> dict:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(gold, pred, labels=list(LABELS), zero_division=0)
    return {
        "n": len(gold),
        "macro_f1": round(float(f.mean()), 4),
        "precision": {lab: round(float(x), 4) for lab, x in zip(LABELS, p)},
        "recall": {lab: round(float(x), 4) for lab, x in zip(LABELS, r)},
        "f1": {lab: round(float(x), 4) for lab, x in zip(LABELS, f)},
        "support": {lab: int(x) for lab, x in zip(LABELS, n)},
        "confusion": {"labels": list(LABELS), "matrix": confusion_matrix(gold, pred, labels=list(LABELS)).tolist()},
    }


def evaluate_classifier(clf: Classifier) -> tuple[dict, list[dict]]:
    texts, gold = eval_posts()
    preds = clf.predict(texts, build(eval_profile()))
    errors = [{"text": t, "gold": g, "pred": p.label, "score": p.score}
              for t, g, p in zip(texts, gold, preds) if g != p.label]
    return classification_metrics(gold, [p.label for p in preds]), errors


def evaluate_roles() -> tuple[dict, list[dict]]:
    from nlp.roles import ROLES, detect

    rows = read_tsv(DATA / "eval_bios.tsv")
    preds = [detect(r["bio"], r.get("name") or None) for r in rows]
    gold = [r["role"] for r in rows]
    correct = sum(g == p.role for g, p in zip(gold, preds))
    errors = [{"bio": r["bio"], "gold": g, "pred": p.role} for r, g, p in zip(rows, gold, preds) if g != p.role]
    per_role = {role: sum(g == role for g in gold) for role in ROLES}
    return {"n": len(rows), "accuracy": round(correct / max(1, len(rows)), 4), "support": per_role}, errors


def evaluate(clf: Classifier | None = None) -> dict:
    """Return held-out metrics for the classifier (given, or the shipped one) and role detection."""
    clf = clf or load()
    cls_metrics, _ = evaluate_classifier(clf)
    role_metrics, _ = evaluate_roles()
    return {"classifier": cls_metrics, "roles": role_metrics}


def report(directory: Path = MODEL_DIR) -> dict:
    """Evaluate the shipped model and return metrics plus the misclassified examples."""
    clf = load(directory)
    cls_metrics, cls_errors = evaluate_classifier(clf)
    role_metrics, role_errors = evaluate_roles()
    return {"version": clf.version, "classifier": cls_metrics, "roles": role_metrics,
            "classifier_errors": cls_errors, "role_errors": role_errors}


def write_model_card(ped: dict | None = None) -> Path:
    """Render nlp/MODEL_CARD.md from the pedigree (metrics included)."""
    ped = ped or pedigree()
    m, r = ped["metrics"]["classifier"], ped["metrics"]["roles"]
    rows = "\n".join(f"| {lab} | {m['precision'][lab]:.3f} | {m['recall'][lab]:.3f} | {m['f1'][lab]:.3f} | "
                     f"{m['support'][lab]} |" for lab in LABELS)
    libs = ", ".join(f"{k} {v}" for k, v in ped["libraries"].items())
    template = (Path(__file__).parent / "data" / "MODEL_CARD.template.md").read_text(encoding="utf-8")
    CARD.write_text(template.format(
        version=ped["version"], trained_at=ped["trained_at"], sha=ped["training_data_sha256"],
        artifact_sha=ped["artifact_sha256"], examples=json.dumps(ped["training_examples"]),
        threshold=ped["partisan_threshold"], libs=libs, n=m["n"], macro_f1=m["macro_f1"], rows=rows,
        confusion=json.dumps(m["confusion"]["matrix"]), role_n=r["n"], role_acc=r["accuracy"],
        role_support=json.dumps(r["support"]),
    ), encoding="utf-8")
    return CARD
