"""Issue #11: stance, not mention. Sentences written for these tests (not taken from any dataset).

A fictional national race: an incumbent (Harun) and a challenger pair whose names hold everyday words
("Amin", "Sandi"). A candidate named in official news, in government criticism or in everyday talk is
not partisan; a call to vote, a campaign slogan or an attack on a candidacy is.
"""

import pytest

from nlp.gazetteer import build, featurize
from nlp.text import analyze

PROFILE = {
    "election": {"name": "Pemilihan Presiden 2029", "region": "Indonesia"},
    "candidates": [
        {"number": 1, "names": ["Harun Wicaksono", "Lukman Amin"], "aliases": ["Pak Harun", "Harun-Lukman"],
         "parties": ["Golkar", "PKB"], "hashtags": ["#HarunDuaPeriode", "#2029TetapHarun"]},
        {"number": 2, "names": ["Gilang Pradipta", "Sandi Kusnadi"], "aliases": ["Gilang", "Sandi", "Gilang-Sandi"],
         "parties": ["Gerindra", "PKS"], "hashtags": ["#2029GantiPresiden", "#GilangSandi"]},
    ],
}

OFFICIAL_AND_NEWS = [
    "Presiden Harun meresmikan bendungan baru di Kabupaten Grobogan pagi ini",
    "Harun dilantik sebagai presiden di gedung MPR hari ini",
    "Presiden Harun memimpin rapat terbatas soal harga beras di istana",
    "Wapres Lukman Amin menghadiri peringatan Hari Santri di Surabaya",
    "Gilang Pradipta bertemu duta besar Jepang bahas investasi",
    "Selamat ulang tahun Pak Harun, semoga sehat selalu",
    "Gerindra gelar bakti sosial untuk korban banjir di Bekasi",
]
GOVERNMENT_CRITICISM = [
    "Harga beras naik terus, rezim Harun gagal urus pangan",
    "Lebih baik Harun mundur saja, utang negara makin numpuk",
    "Turunkan Harun! rakyat sudah susah",
    "Kebijakan Harun soal impor garam bikin petani susah",
]
EVERYDAY = [
    "Semoga lekas sembuh ya Bu, AMIN",
    "lupa kata sandi wifi kantor, ada yang tahu?",
    "juara nomor 1 lomba lari tingkat kecamatan",
    "alamat Jl. Kenanga No. 2 dekat masjid",
    "pilih 1 aja kak warnanya, semua bagus",
    "menangkan e-cash Rp50.000 dengan ikut kuis kami",
]
STANCE = [
    "Ayo coblos Pak Harun lagi, dua periode! #HarunDuaPeriode",
    "Jangan pilih Gilang di pilpres nanti, dia cuma jago janji",
    "Pokoknya 2029 ganti presiden! #2029GantiPresiden",
    "Bismillah, saya dan keluarga mantap pilih Gilang-Sandi di pilpres 2029",
]


@pytest.fixture(scope="module")
def nat():
    return build(PROFILE)


def feat(text, gaz):
    return featurize(analyze([text])[0], gaz)


@pytest.mark.parametrize("text", OFFICIAL_AND_NEWS + GOVERNMENT_CRITICISM)
def test_a_named_candidate_without_stance_is_not_partisan(clf, nat, text):
    pred = clf.predict([text], nat)[0]
    assert pred.label != "partisan", (text, pred.score)
    assert any(r["kind"] == "entity" for r in pred.reasons)  # the name is still found and shown


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_words_and_numbers_are_not_partisan(clf, nat, text):
    assert clf.predict([text], nat)[0].label != "partisan", text


@pytest.mark.parametrize("text", STANCE)
def test_a_stance_about_a_candidate_is_partisan_and_the_reason_names_cue_and_target(clf, nat, text):
    pred = clf.predict([text], nat)[0]
    assert pred.label == "partisan", (text, pred.score)
    stances = [r for r in pred.reasons if r["kind"] == "stance"]
    assert stances and all(r["cue"] and r["target"] for r in stances)


def test_mention_alone_scores_below_the_partisan_threshold(clf, nat):
    from nlp.classifier import LABELS

    X = clf.vectorizer.transform([feat("Harun", nat), feat("Sandi", nat), feat("nomor 1", nat)])
    proba = clf.model.predict_proba(X)
    assert (proba[:, LABELS.index("partisan")] < clf.threshold).all()


def test_words_split_from_names_and_common_word_aliases(nat):
    assert not feat("Semoga lekas sembuh, AMIN", nat).entities  # "Amin" of "Lukman Amin" is not an alias
    assert not feat("ganti kata sandi tiap bulan", nat).entities  # "sandi" in lower case is a password
    assert not feat("SANDI WIFI NYA APA", nat).entities  # capitals do not make a word a name
    assert [e["label"] for e in feat("debat semalam Sandi tampil tenang", nat).entities] == ["2"]
    assert [e["label"] for e in feat("Wapres Lukman Amin hadir", nat).entities] == ["1"]  # the full name


@pytest.mark.parametrize("text", ["juara nomor 1 lomba lari", "Jl. Kenanga No. 2", "pilih 1 aja kak warnanya",
                                  "gajian tanggal 01", "harga 2 ribu", "kamar nomor 2 lantai 3", "ranking 1 di kelas"])
def test_everyday_numbers_are_not_ballot_numbers(nat, text):
    assert "__nourut__" not in feat(text, nat).tokens, text


@pytest.mark.parametrize("text", ["coblos nomor 2 di pilpres", "ayo coblos no 1!", "gas 02!!", "nomor urut 1 mantap",
                                  "Pilpres nanti pilih nomor 2", "Harun nomor 1"])
def test_numbers_in_an_electoral_context_are_ballot_numbers(nat, text):
    assert "__nourut__" in feat(text, nat).tokens, text


@pytest.mark.parametrize("text", ["#gantipresiden2029", "#2029gantipresiden", "👉#2029GantiPresiden",
                                  "#G4ntiPresiden2029", "2029ganti presiden", "ganti presiden 2029"])
def test_glued_and_respelled_campaign_hashtags(nat, text):
    assert "__tagar_kandidat__" in feat(text, nat).tokens, text


def test_handles_are_mentions_not_candidates(nat):
    f = feat("@gilang_fans @harunwicaksono_official lihat ini", nat)
    assert f.tokens.count("__mention__") == 2 and not f.entities
