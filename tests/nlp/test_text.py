"""Normalization of Indonesian social-media text."""

from nlp.text import analyze, normalize_token, split_hashtag, strip_html


def norms(text):
    return analyze([text])[0].norms


def test_slang_and_elongation_are_normalized():
    assert norms("yg gak bgt dgn utk bangeeet mantaaap") == ["yang", "tidak", "banget", "dengan", "untuk",
                                                             "banget", "mantap"]


def test_urls_mentions_hashtags_are_kept_as_tokens():
    out = norms("cek https://kpu.go.id/dpt @kpu_ri #PilkadaDamai")
    assert out == ["cek", "__url__", "@kpu_ri", "#pilkadadamai"]


def test_ballot_number_cues_in_digits_words_and_emoji():
    assert norms("no.2") == ["nomor", "2"]
    assert norms("✌️") == ["<jari:2>"]
    assert norms("☝🏻") == ["<jari:1>"]
    assert norms("3️⃣") == ["<kc:3>"]


def test_reduplication_and_fancy_unicode():
    assert normalize_token("bagi2") == ("bagi-bagi",)
    assert normalize_token("𝗣𝗶𝗹𝗶𝗵") == ("pilih",)


def test_spans_point_into_the_original_text():
    text = "Ayo   coblos Bang Budi ✌️"
    toks = analyze([text])[0]
    for _norm, (start, end) in zip(toks.norms, toks.spans, strict=False):
        assert text[start:end]
    assert text[slice(*toks.spans[-1])] == "✌"


def test_mastodon_html_is_stripped_safely():
    html = '<p>Halo &amp; selamat<br>pagi</p><script>alert("x")</script><a href="#">#Pilkada</a>'
    assert strip_html(html) == "Halo & selamat pagi #Pilkada"
    assert strip_html("a < b dan c > d") == "a < b dan c > d"  # not HTML: unchanged


def test_hashtag_split_on_case_and_digits():
    assert split_hashtag("#CoblosNomor2") == ("coblos", "nomor", "2")
