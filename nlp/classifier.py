"""NLP stage: the political classifier (partisan / election_info / other) and its artifact.

A calibrated logistic regression over three blocks of features: word 1-2-grams and character
3-5-grams of the *masked* token stream, plus gazetteer counts. The artifact is a skops file whose
SHA-256 is checked against the pedigree JSON beside it before anything is loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from nlp.features import extract, gazetteer_dict, token_string
from nlp.gazetteer import Gazetteer, build

LABELS = ("election_info", "other", "partisan")  # sorted: the order sklearn uses for classes_
MODEL_DIR = Path(__file__).parent / "model"  # the shipped model (the default of NETRAL_MODEL_DIR)
ARTIFACT = MODEL_DIR / "classifier.skops"
PEDIGREE = MODEL_DIR / "classifier.json"
MODEL_DIR_ENV = "NETRAL_MODEL_DIR"
# A partisan label accuses someone: only give it when the calibrated score is this high,
# otherwise fall back to the better of the two harmless labels.
# 0.5 with the uncalibrated softmax of the stance model (issue #11): on the realdev dev half 0.5 and 0.6 give
# the same labels, and 0.6 cost 5-10 points of partisan recall on the hand-written sets.
PARTISAN_THRESHOLD = 0.5


@dataclass
class Prediction:
    label: str
    score: float
    reasons: list[dict]


def stance_reasons(feat) -> list[dict]:
    """The stance cues found next to a target ("dukung" -> "Jokowi"), once per (cue, target) pair."""
    out, seen = [], set()
    for cue, ent in feat.stances:
        e = feat.entities[ent]
        key = (cue, e["text"].lower())
        if key not in seen:
            seen.add(key)
            out.append({"kind": "stance", "cue": cue, "target": e["text"], "category": e["category"],
                        "label": e["label"]})
    return out


class Vectorizer:
    """Fit/transform the three feature blocks; kept as plain sklearn objects for skops."""

    def __init__(self, word=None, char=None, gaz=None, gaz_weight: float = 1.0, use_char: bool = False):
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.word = word or TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2),
                                            min_df=2, sublinear_tf=True, dtype=np.float32)
        # Character n-grams cost 4x the word features at prediction time; off unless they pay.
        if char is None and use_char:
            char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, max_features=60000,
                                   sublinear_tf=True, lowercase=False, dtype=np.float32)
        self.char = char
        self.gaz = gaz or DictVectorizer(dtype=np.float32)
        self.gaz_weight = gaz_weight

    def _blocks(self, feats, fit: bool) -> sp.csr_matrix:
        gaz = [gazetteer_dict(f) for f in feats]
        do = (lambda v, x: v.fit_transform(x)) if fit else (lambda v, x: v.transform(x))
        docs = [token_string(f) for f in feats] if fit or self.char is not None else None
        blocks = [do(self.word, docs) if fit else self._word_transform(feats)]
        if self.char is not None:
            blocks.append(do(self.char, docs))
        blocks.append(self.gaz_weight * (do(self.gaz, gaz) if fit else self._gaz_transform(gaz)))
        return sp.hstack(blocks, format="csr")

    def _word_transform(self, feats) -> sp.csr_matrix:
        """TfidfVectorizer.transform for our pre-tokenized streams, without re-tokenizing a joined
        string (same result, checked in tests; about twice as fast)."""
        vocab, idf = self.word.vocabulary_, self.word.idf_
        starts = self._bigram_starts()
        indptr, indices, counts = [0], [], []
        for f in feats:
            row: dict[int, int] = {}
            prev = None
            for tok in f.tokens:
                j = vocab.get(tok)
                if j is not None:
                    row[j] = row.get(j, 0) + 1
                if prev is not None:  # only build "a b" when some known bigram starts with a
                    j = vocab.get(prev + " " + tok)
                    if j is not None:
                        row[j] = row.get(j, 0) + 1
                prev = tok if tok in starts else None
            indices.extend(row)
            counts.extend(row.values())
            indptr.append(len(indices))
        X = sp.csr_matrix((np.asarray(counts, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                           np.asarray(indptr, dtype=np.int64)), shape=(len(feats), len(vocab)))
        X.sort_indices()
        if self.word.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1
        X.data *= idf[X.indices].astype(np.float32)
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        X.data /= np.repeat(norms, np.diff(X.indptr)).astype(np.float32)
        return X

    def _gaz_transform(self, dicts: list[dict[str, float]]) -> sp.csr_matrix:
        """DictVectorizer.transform without its per-call overhead (same result, checked in tests)."""
        vocab = self.gaz.vocabulary_
        indptr, indices, values = [0], [], []
        for d in dicts:
            for key, val in d.items():
                j = vocab.get(key)
                if j is not None:
                    indices.append(j)
                    values.append(val)
            indptr.append(len(indices))
        X = sp.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                           np.asarray(indptr, dtype=np.int64)), shape=(len(dicts), len(vocab)))
        X.sort_indices()
        return X

    def _bigram_starts(self) -> set[str]:
        cached = getattr(self, "_starts", None)
        if cached is None:
            cached = self._starts = {k.split(" ", 1)[0] for k in self.word.vocabulary_ if " " in k}
        return cached

    def fit_transform(self, feats) -> sp.csr_matrix:
        return self._blocks(feats, fit=True)

    def transform(self, feats) -> sp.csr_matrix:
        return self._blocks(feats, fit=False)

    def feature_names(self) -> np.ndarray:
        names = [self.word.get_feature_names_out()]
        if self.char is not None:
            names.append(np.array([f"char:{c}" for c in self.char.get_feature_names_out()], dtype=object))
        names.append(self.gaz.get_feature_names_out())
        return np.concatenate(names)


class Classifier:
    """A trained classifier plus what it needs at run time (threshold, feature names, version)."""

    def __init__(self, vectorizer: Vectorizer, model: Any, version: str = "dev",
                 threshold: float = PARTISAN_THRESHOLD):
        self.vectorizer = vectorizer
        self.model = model
        self.version = version
        self.threshold = threshold
        self._names: np.ndarray | None = None
        self._coef: np.ndarray | None = None

    # ---- prediction ----
    def predict_features(self, feats) -> list[Prediction]:
        if not feats:
            return []
        X = self.vectorizer.transform(feats)
        proba = self.model.predict_proba(X)
        classes = list(self.model.classes_)
        ip, ie, io = classes.index("partisan"), classes.index("election_info"), classes.index("other")
        ks = np.where(proba[:, ip] >= self.threshold, ip, np.where(proba[:, ie] >= proba[:, io], ie, io))
        terms = self._top_terms(X, ks)
        return [Prediction(classes[k], round(float(p[k]), 4),
                           [{"kind": "entity", **e} for e in feat.entities] + stance_reasons(feat) + t)
                for k, p, feat, t in zip(ks.tolist(), proba, feats, terms, strict=False)]

    def predict(self, texts: Iterable[str], gaz: Gazetteer | None = None, batch_size: int = 1000):
        """Classify texts of one election (gaz built from its profile; None = lexicon only)."""
        gaz = gaz or build(None)
        texts = list(texts)
        out: list[Prediction] = []
        for i in range(0, len(texts), batch_size):
            out.extend(self.predict_features(extract(texts[i : i + batch_size], gaz, batch_size)))
        return out

    # ---- reasons ----
    def _weights(self):
        if self._coef is None:
            est = self.model
            if hasattr(est, "calibrated_classifiers_"):
                est = est.calibrated_classifiers_[0].estimator
            self._coef = np.asarray(est.coef_)
            self._names = self.vectorizer.feature_names()
        return self._coef, self._names

    def _top_terms(self, X, ks: np.ndarray, top: int = 4) -> list[list[dict]]:
        """The features that pushed each post hardest towards its label (one pass for the batch)."""
        coef, names = self._weights()
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        contrib = X.data * coef[ks[rows], X.indices]
        order = np.lexsort((-contrib, rows))
        out: list[list[dict]] = []
        starts = X.indptr
        for r in range(X.shape[0]):
            terms = []
            for pos in order[starts[r] : starts[r + 1]][: top + 2]:
                c = contrib[pos]
                if c <= 0 or len(terms) == top:
                    break
                name = str(names[X.indices[pos]])
                if not name.startswith("char:"):  # character n-grams mean little to a reviewer
                    terms.append({"kind": "term", "term": name, "weight": round(float(c), 3)})
            out.append(terms)
        return out


# ---- artifact ----
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def model_dir() -> Path:
    """Where `netral nlp train` writes the model and the classifier loads it: NETRAL_MODEL_DIR, else the shipped
    nlp/model. Read at each call, so a setting made after import (a test, a process) counts."""
    return Path(os.environ.get(MODEL_DIR_ENV) or MODEL_DIR)


def save(clf: Classifier, pedigree: dict, directory: Path | None = None) -> dict:
    """Write the skops artifact and its pedigree JSON (with the artifact's SHA-256) into directory (model_dir())."""
    import zipfile

    import skops.io as sio

    directory = directory or model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ARTIFACT.name
    v = clf.vectorizer
    sio.dump({"word": v.word, "char": v.char, "gaz": v.gaz, "gaz_weight": v.gaz_weight,
              "model": clf.model, "threshold": clf.threshold}, path, compression=zipfile.ZIP_DEFLATED)
    pedigree = {**pedigree, "artifact": path.name, "artifact_sha256": sha256_file(path)}
    (directory / PEDIGREE.name).write_text(json.dumps(pedigree, indent=2, ensure_ascii=False) + "\n")
    return pedigree


_CACHE: dict[str, Classifier] = {}


def load(directory: Path | None = None) -> Classifier:
    """Load the classifier (from model_dir()) after checking its SHA-256 against the pedigree."""
    directory = directory or model_dir()
    key = str(directory)
    if key in _CACHE:
        return _CACHE[key]
    import skops.io as sio

    pedigree = json.loads((directory / PEDIGREE.name).read_text())
    path = directory / pedigree["artifact"]
    if sha256_file(path) != pedigree["artifact_sha256"]:
        raise RuntimeError(f"{path}: SHA-256 does not match {PEDIGREE.name}; retrain with `netral nlp train`")
    # The hash check above is what makes trusting the listed types safe.
    obj = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    vec = Vectorizer(obj["word"], obj["char"], obj["gaz"], obj["gaz_weight"])
    clf = Classifier(vec, obj["model"], version=pedigree["version"], threshold=obj["threshold"])
    _CACHE[key] = clf
    return clf


def pedigree(directory: Path | None = None) -> dict:
    return json.loads(((directory or model_dir()) / PEDIGREE.name).read_text())
