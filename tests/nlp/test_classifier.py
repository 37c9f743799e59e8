"""The shipped classifier: its pedigree, its labels on unseen text, and its reasons."""

import json

from nlp.classifier import ARTIFACT, PEDIGREE, sha256_file
from nlp.gazetteer import build

UNSEEN = {
    "Ayo menangkan Bang Budi jadi wali kota, orangnya jujur dan merakyat! #Bersinar01": "partisan",
    "Jangan pilih Hendra, tukang janji palsu": "partisan",
    "Yang mau amplop 100rb besok subuh asal coblos nomor 2, japri": "partisan",
    "KPU Kota Sawahlunto menetapkan DPT sebanyak 45.210 pemilih": "election_info",
    "Bawaslu ingatkan ASN tetap netral selama masa kampanye": "election_info",
    "Jangan golput, datang ke TPS tanggal 27 November ya": "election_info",
    "Kampanye imunisasi polio di posyandu besok pagi": "other",
    "Pemilihan ketua OSIS SMA 1 berlangsung seru": "other",
    "Jual kaos polos partai besar harga grosir": "other",
    "Macet parah di jalan raya pagi ini": "other",
}


def test_pedigree_matches_the_artifact():
    ped = json.loads(PEDIGREE.read_text())
    for key in ("version", "training_data_sha256", "libraries", "metrics", "artifact_sha256", "partisan_threshold"):
        assert key in ped
    assert sha256_file(ARTIFACT) == ped["artifact_sha256"]
    assert ARTIFACT.stat().st_size < 10_000_000


def test_shipped_metrics_meet_the_targets():
    test = json.loads(PEDIGREE.read_text())["metrics"]["test"]
    assert test["classifier"]["macro_f1"] >= 0.90
    assert test["classifier"]["precision"]["partisan"] >= 0.95
    assert test["roles"]["accuracy"] >= 0.95


def test_labels_on_unseen_posts(clf, gaz):
    preds = clf.predict(list(UNSEEN), gaz)
    wrong = [(t, p.label) for (t, want), p in zip(UNSEEN.items(), preds, strict=False) if p.label != want]
    assert not wrong


def test_scores_and_reasons(clf, gaz):
    text = "Ayo coblos Bang Budi nomor 1"
    (pred,) = clf.predict([text], gaz)
    assert 0.0 <= pred.score <= 1.0
    entities = [r for r in pred.reasons if r["kind"] == "entity"]
    assert any(r["category"] == "kandidat" and text[r["start"]:r["end"]] == "Bang Budi" for r in entities)
    assert any(r["kind"] == "term" for r in pred.reasons)


def test_unknown_candidates_are_transferred_through_the_profile(clf):
    profile = {"election": {"region": "Kabupaten Fiktif"},
               "candidates": [{"number": 1, "names": ["Zakharia Ompusunggu"], "aliases": ["ZAKAR"]},
                              {"number": 2, "names": ["Wilhelmina Tapilatu"]}]}
    preds = clf.predict(["Pilih Zakharia, pemimpin yang amanah!", "Wilhelmina pembohong, jangan dipilih"],
                        build(profile))
    assert [p.label for p in preds] == ["partisan", "partisan"]


def test_empty_and_html_posts(clf, gaz):
    preds = clf.predict(["", "<p>KPU buka pendaftaran <b>KPPS</b></p>"], gaz)
    assert preds[0].label == "other"
    assert preds[1].label == "election_info"


def test_fast_word_transform_matches_sklearn(clf, gaz):
    import numpy as np

    from nlp.features import extract, token_string

    feats = extract(["Ayo coblos Bang Budi nomor 1!! #Bersinar01", "KPU umumkan DPT", "", "halo halo bandung"], gaz)
    fast = clf.vectorizer._word_transform(feats).toarray()
    slow = clf.vectorizer.word.transform([token_string(f) for f in feats]).toarray()
    assert np.allclose(fast, slow, atol=1e-6)


def test_fast_gazetteer_transform_matches_sklearn(clf, gaz):
    import numpy as np

    from nlp.features import extract, gazetteer_dict

    dicts = [gazetteer_dict(f) for f in extract(["Ayo coblos Bang Budi nomor 1", "KPU umumkan DPT", ""], gaz)]
    fast = clf.vectorizer._gaz_transform(dicts).toarray()
    assert np.allclose(fast, clf.vectorizer.gaz.transform(dicts).toarray())
