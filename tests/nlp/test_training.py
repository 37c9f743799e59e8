"""Training end to end (slow): the corpus is deterministic and a retrained model meets the targets."""

import json

import pytest

from nlp.text import DATA


def test_corpus_rows_are_well_formed():
    profiles = json.loads((DATA / "train_profiles.json").read_text())
    with open(DATA / "train.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert {r["label"] for r in rows} == {"partisan", "election_info", "other"}
    assert all(r["profile"] is None or r["profile"] in profiles for r in rows)


def test_evaluation_sets_never_overlap_training():
    from nlp.training.evaluate import eval_posts
    from nlp.training.train import load_corpus

    train = {r["text"] for r in load_corpus()[0]}
    for split in ("dev", "test", "holdout", "final"):
        texts, _ = eval_posts(split)
        assert not train & set(texts), split


@pytest.mark.slow
def test_retrained_model_meets_targets(tmp_path):
    from nlp.training import evaluate
    from nlp.training.train import CONFIG, featurize_rows, fit, load_corpus

    rows, profiles, _ = load_corpus()
    clf = fit(featurize_rows(rows, profiles), [r["label"] for r in rows], **CONFIG)
    metrics = evaluate.evaluate(clf)["test"]["classifier"]
    assert metrics["macro_f1"] >= 0.90 and metrics["precision"]["partisan"] >= 0.95
