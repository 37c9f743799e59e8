"""NLP stage: measure the classifier and role detector on held-out sets; write nlp/MODEL_CARD.md.

Three hand-written sets, never trained on, each about its own fictional election whose names, region
and hashtags never occur in training: `dev_*` (used for error analysis while building the grammar),
`test_*` (written later; after its first measurement a few general fixes were made, so it is no
longer blind) and `holdout_*` (written after the last change and measured once: the figures to
quote). Real IndoNLU test-split lines (never in training) add everyday `other` text to each.
The sets are read from nlp.text.data_dir() (NETRAL_NLP_DATA_DIR); the model and its card from/to
nlp.classifier.model_dir() (NETRAL_MODEL_DIR; the shipped nlp/model keeps its card at nlp/MODEL_CARD.md).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml

from nlp.classifier import LABELS, MODEL_DIR, Classifier, load, model_dir, pedigree
from nlp.gazetteer import build
from nlp.text import data_dir

CARD = Path(__file__).parents[1] / "MODEL_CARD.md"  # the shipped model's card
REAL_OTHER_EVAL = 150  # IndoNLU test lines added to each set's hand-written `other` posts
SPLITS = ("dev", "test", "holdout", "final")


def card_path(directory: Path | None = None) -> Path:
    """The model card of the model in directory (model_dir()): nlp/MODEL_CARD.md for the shipped model, else
    MODEL_CARD.md beside the artifact."""
    directory = directory or model_dir()
    return CARD if directory.resolve() == MODEL_DIR.resolve() else directory / "MODEL_CARD.md"


def read_tsv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def eval_posts(split: str = "test") -> tuple[list[str], list[str]]:
    rows = read_tsv(data_dir() / f"{split}_posts.tsv")
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    offset = SPLITS.index(split) * REAL_OTHER_EVAL  # dev and test get different real lines
    with open(data_dir() / "indonlu_other_eval.jsonl", encoding="utf-8") as fh:
        real = [json.loads(line)["text"] for line in fh][offset : offset + REAL_OTHER_EVAL]
    return texts + real, labels + ["other"] * len(real)


def eval_profile(split: str = "test") -> dict:
    return yaml.safe_load((data_dir() / f"{split}_profile.yaml").read_text(encoding="utf-8"))


def classification_metrics(gold: list[str], pred: list[str]) -> dict:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(gold, pred, labels=list(LABELS), zero_division=0)
    return {
        "n": len(gold),
        "macro_f1": round(float(f.mean()), 4),
        "precision": {lab: round(float(x), 4) for lab, x in zip(LABELS, p, strict=False)},
        "recall": {lab: round(float(x), 4) for lab, x in zip(LABELS, r, strict=False)},
        "f1": {lab: round(float(x), 4) for lab, x in zip(LABELS, f, strict=False)},
        "support": {lab: int(x) for lab, x in zip(LABELS, n, strict=False)},
        "confusion": {"labels": list(LABELS), "matrix": confusion_matrix(gold, pred, labels=list(LABELS)).tolist()},
    }


def evaluate_classifier(clf: Classifier, split: str = "test") -> tuple[dict, list[dict]]:
    texts, gold = eval_posts(split)
    preds = clf.predict(texts, build(eval_profile(split)))
    errors = [{"text": t, "gold": g, "pred": p.label, "score": p.score}
              for t, g, p in zip(texts, gold, preds, strict=False) if g != p.label]
    return classification_metrics(gold, [p.label for p in preds]), errors


def evaluate_roles(split: str = "test") -> tuple[dict, list[dict]]:
    from nlp.roles import ROLES, detect

    rows = read_tsv(data_dir() / f"{split}_bios.tsv")
    preds = [detect(r["bio"], r.get("name") or None) for r in rows]
    gold = [r["role"] for r in rows]
    correct = sum(g == p.role for g, p in zip(gold, preds, strict=False))
    errors = [{"bio": r["bio"], "gold": g, "pred": p.role}
              for r, g, p in zip(rows, gold, preds, strict=True) if g != p.role]
    per_role = {role: sum(g == role for g in gold) for role in ROLES}
    return {"n": len(rows), "accuracy": round(correct / max(1, len(rows)), 4), "support": per_role}, errors


def evaluate(clf: Classifier | None = None) -> dict:
    """Return held-out metrics for the classifier (given, or the shipped one) and role detection."""
    clf = clf or load()
    out: dict = {}
    for split in SPLITS:
        out[split] = {"classifier": evaluate_classifier(clf, split)[0], "roles": evaluate_roles(split)[0]}
    return out


def report(directory: Path | None = None, split: str = "test") -> dict:
    """Evaluate the model (model_dir()) on one split; return metrics plus the misclassified examples."""
    clf = load(directory)
    cls_metrics, cls_errors = evaluate_classifier(clf, split)
    role_metrics, role_errors = evaluate_roles(split)
    return {"version": clf.version, "split": split, "classifier": cls_metrics, "roles": role_metrics,
            "classifier_errors": cls_errors, "role_errors": role_errors}


def refresh(directory: Path | None = None) -> dict:
    """Re-measure the model (model_dir()) on every split and rewrite its pedigree metrics and its card."""
    directory = directory or model_dir()
    ped = pedigree(directory)
    ped["metrics"] = evaluate(load(directory))
    (directory / "classifier.json").write_text(json.dumps(ped, indent=2, ensure_ascii=False) + "\n")
    write_model_card(ped, directory)
    return ped


def write_model_card(ped: dict | None = None, directory: Path | None = None) -> Path:
    """Render the model card (card_path(directory)) from the pedigree (metrics included); return its path."""
    ped = ped or pedigree(directory)
    card = card_path(directory)
    rows = []
    for split in SPLITS:
        m = ped["metrics"][split]["classifier"]
        rows += [f"| {split} | {lab} | {m['precision'][lab]:.3f} | {m['recall'][lab]:.3f} | {m['f1'][lab]:.3f} | "
                 f"{m['support'][lab]} |" for lab in LABELS]
    dev, test, hold = ped["metrics"]["dev"], ped["metrics"]["test"], ped["metrics"]["holdout"]
    final = ped["metrics"]["final"]
    libs = ", ".join(f"{k} {v}" for k, v in ped["libraries"].items())
    template = (Path(__file__).parents[1] / "data" / "MODEL_CARD.template.md").read_text(encoding="utf-8")
    card.write_text(template.format(
        version=ped["version"], trained_at=ped["trained_at"], sha=ped["training_data_sha256"],
        artifact_sha=ped["artifact_sha256"], examples=json.dumps(ped["training_examples"]),
        threshold=ped["partisan_threshold"], libs=libs, rows="\n".join(rows),
        test_n=test["classifier"]["n"], dev_n=dev["classifier"]["n"],
        test_f1=test["classifier"]["macro_f1"], dev_f1=dev["classifier"]["macro_f1"],
        test_pp=test["classifier"]["precision"]["partisan"], dev_pp=dev["classifier"]["precision"]["partisan"],
        test_confusion=json.dumps(test["classifier"]["confusion"]["matrix"]),
        role_test_n=test["roles"]["n"], role_test=test["roles"]["accuracy"],
        role_dev_n=dev["roles"]["n"], role_dev=dev["roles"]["accuracy"],
        hold_n=hold["classifier"]["n"], hold_f1=hold["classifier"]["macro_f1"],
        hold_pp=hold["classifier"]["precision"]["partisan"], role_hold=hold["roles"]["accuracy"],
        final_f1=final["classifier"]["macro_f1"], final_pp=final["classifier"]["precision"]["partisan"],
        final_pr=final["classifier"]["recall"]["partisan"], role_final=final["roles"]["accuracy"],
        role_hold_n=hold["roles"]["n"], hold_confusion=json.dumps(hold["classifier"]["confusion"]["matrix"]),
    ), encoding="utf-8")
    return card
