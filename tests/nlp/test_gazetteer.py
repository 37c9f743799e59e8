"""Gazetteers: profile entities are masked, lexicon terms matched, look-alikes left alone."""

from nlp.gazetteer import build, featurize
from nlp.text import analyze


def feat(text, gaz):
    return featurize(analyze([text])[0], gaz)


def test_profile_names_aliases_hashtags_accounts_are_masked(gaz):
    f = feat("Dukung Bang Budi! #Bersinar01 @majubersama02 Hendra mantap", gaz)
    assert f.tokens.count("__kandidat__") == 2
    assert "__tagar_kandidat__" in f.tokens and "__akun_kandidat__" in f.tokens
    assert not {"budi", "hendra"} & set(f.tokens)


def test_entities_carry_spans_and_candidate_number(gaz):
    text = "Ayo coblos Bang Budi nomor 1"
    f = feat(text, gaz)
    by_cat = {e["category"]: e for e in f.entities}
    assert by_cat["kandidat"]["label"] == "1"
    e = by_cat["nomor_urut"]
    assert text[e["start"]:e["end"]] == "1"


def test_ballot_numbers_only_in_context(gaz):
    assert "__nourut__" in feat("coblos 02 ya", gaz).tokens
    assert "__nourut__" not in feat("nomor urut antrean 25", gaz).tokens
    assert "__nourut__" not in feat("coblos satu kali saja", gaz).tokens
    assert "__nourut__" not in feat("beli 2 bungkus", gaz).tokens


def test_hard_negatives_are_recognized(gaz):
    for text in ("kampanye imunisasi campak", "pemilihan ketua OSIS", "nomor urut antrean 7", "jual partai besar"):
        assert feat(text, gaz).counts["bukan_pemilu"] == 1, text


def test_ordinary_words_in_names_need_an_honorific():
    profile = {"candidates": [{"number": 1, "names": ["I Gede Wirawan"], "parties": ["PAN"]}]}
    g = build(profile)
    assert "__kandidat__" not in feat("badannya gede banget", g).tokens
    assert "__kandidat__" in feat("dukung pak Gede", g).tokens
    assert "__kandidat__" in feat("dukung Wirawan", g).tokens
    assert "__partai__" not in feat("pan sini aku ajarin", g).tokens  # "PAN" the party needs "partai"
    assert "__partai__" in feat("partai PAN solid", g).tokens


def test_without_profile_the_national_lexicon_still_works():
    f = feat("PDIP dan Gerindra bagi amplop serangan fajar", build(None))
    assert f.tokens.count("__partai__") == 2
    assert f.counts["politik_uang"] == 2


def test_aliases_made_of_ordinary_words_only_match_in_capitals(gaz):
    assert "__kandidat__" not in feat("Ayo maju bersama membangun desa", gaz).tokens
    assert "__kandidat__" in feat("MAJU BERSAMA menang!", gaz).tokens


def test_name_parts_that_are_words_never_match_alone(gaz):
    # issue #11: a word split out of a full name ("Budi" of "Budi Santoso Wiratama") is not the candidate
    # alone, in any case; with an honorific ("Bang Budi", an alias) it is.
    for text in ("Budi pekerti harus diajarkan", "semua orang butuh budi pekerti",
                 "Debat kedua: Budi menjawab soal air", "BUDI PEKERTI ITU PENTING"):
        assert "__kandidat__" not in feat(text, gaz).tokens, text
    assert "__kandidat__" in feat("Debat kedua: Pak Budi menjawab soal air", gaz).tokens


def test_neighbourhood_and_polling_station_numbers_are_not_ballot_numbers(gaz):
    for text in ("goro bersih selokan RT 02 besok", "TPS 02 buka jam 7", "RW 01 juara lomba", "jam 02 dini hari"):
        assert "__nourut__" not in feat(text, gaz).tokens, text
    assert "__nourut__" in feat("coblos 02 ya", gaz).tokens
