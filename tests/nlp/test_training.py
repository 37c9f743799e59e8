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


def _small_data_dir(target):
    """A copy of nlp/data with a small corpus (20 generated posts per label) and a quarter of each held-out set."""
    import shutil

    target.mkdir()
    for path in DATA.iterdir():
        if path.is_file() and path.name not in ("train.jsonl", "indonlu_other_train.jsonl"):
            shutil.copy(path, target / path.name)
    per_label: dict[str, list[str]] = {}
    elections: set[str | None] = set()
    with open(DATA / "train.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            # From three fictional elections at most: a gazetteer is built per election.
            if row["profile"] not in elections and len(elections) >= 3:
                continue
            if len(per_label.setdefault(row["label"], [])) < 20:
                per_label[row["label"]].append(line)
                elections.add(row["profile"])
    (target / "train.jsonl").write_text("".join(line for lines in per_label.values() for line in lines),
                                        encoding="utf-8")
    for name in [p.name for p in target.glob("*_posts.tsv")] + ["indonlu_other_eval.jsonl"]:
        lines = (target / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (target / name).write_text("".join(lines[:1] + lines[1::4]), encoding="utf-8")  # a quarter of each set
    return target


def _snapshot(*paths):
    return {p: p.read_bytes() for root in paths for p in (sorted(root.iterdir()) if root.is_dir() else [root])
            if p.is_file()}


def test_training_writes_into_the_configured_model_dir_only(tmp_path, monkeypatch):
    """NETRAL_MODEL_DIR takes the artifact, pedigree and card; NETRAL_NLP_DATA_DIR gives the corpus; the
    package's nlp/model, nlp/MODEL_CARD.md and nlp/data are untouched."""
    from nlp import classifier
    from nlp.training import evaluate
    from nlp.training.train import CORPUS_FILES, data_hash, train

    data, model = _small_data_dir(tmp_path / "data"), tmp_path / "model"
    shipped = _snapshot(classifier.MODEL_DIR, evaluate.CARD, DATA)
    monkeypatch.setenv("NETRAL_MODEL_DIR", str(model))
    monkeypatch.setenv("NETRAL_NLP_DATA_DIR", str(data))
    lines: list[str] = []

    ped = train(echo=lines.append)

    assert sorted(p.name for p in model.iterdir()) == ["MODEL_CARD.md", "classifier.json", "classifier.skops"]
    assert json.loads((model / "classifier.json").read_text())["version"] == ped["version"]
    assert ped["version"] in (model / "MODEL_CARD.md").read_text()
    # The corpus came from the data dir (the gazetteer's lexicon always from the package).
    files = [(DATA if name == "lexicon.yaml" else data) / name for name in CORPUS_FILES]
    assert ped["training_data_sha256"] == data_hash(files)
    assert sum(ped["training_examples"].values()) < 1000
    assert lines[-1] == f"wrote {ped['version']} to {model}/ and {model / 'MODEL_CARD.md'}"
    assert classifier.load().version == ped["version"]  # the classifier loads from the setting too
    assert _snapshot(classifier.MODEL_DIR, evaluate.CARD, DATA) == shipped


def test_model_and_data_dirs_default_to_the_package(monkeypatch):
    from nlp import classifier
    from nlp.text import data_dir
    from nlp.training import evaluate

    monkeypatch.delenv("NETRAL_MODEL_DIR", raising=False)
    monkeypatch.delenv("NETRAL_NLP_DATA_DIR", raising=False)
    assert classifier.model_dir() == classifier.MODEL_DIR and data_dir() == DATA
    assert evaluate.card_path() == evaluate.CARD == classifier.MODEL_DIR.parent / "MODEL_CARD.md"
