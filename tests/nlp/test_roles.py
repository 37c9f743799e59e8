"""Role detection from display names and bios, with negation, the past and ambiguous acronyms."""

import pytest

from nlp.roles import detect

CASES = [
    ("ASN Pemkab Sleman, suka kopi", None, "asn"),
    ("Guru PPPK di SMPN 3", None, "asn"),
    ("NIP 19850312 201001 1 003", None, "asn"),
    ("Kepala Seksi Dinas Kesehatan Kab. Bantul", None, "asn"),
    ("PPK pengadaan barang/jasa Dinas PU", None, "asn"),
    ("Pejabat Pembuat Komitmen Satker Jalan", None, "asn"),
    ("Ketua PPK Kecamatan Depok, Pilkada 2024", None, "organizer"),
    ("Anggota KPPS TPS 05", None, "organizer"),
    ("Komisioner Bawaslu Kota", None, "organizer"),
    ("Calon Bupati Sleman nomor urut 2", None, "candidate"),
    ("Kader Partai Golkar", None, "candidate"),
    ("Relawan paslon 01 garis keras", None, "candidate"),
    ("Tim pemenangan Budi-Rina", None, "candidate"),
    ("Bukan PNS, cuma pedagang", None, "other"),
    ("Mantan ASN, kini wiraswasta", None, "other"),
    ("Ex-ASN", None, "other"),
    ("Pensiunan PNS Dinas Pertanian", None, "other"),
    ("Pejuang CPNS 2025", None, "other"),
    ("Istri PNS, jualan kue", None, "other"),
    ("Guru honorer di Dinas Pendidikan", None, "other"),
    ("Relawan bencana dan PMI", None, "other"),
    ("Mantan caleg, sekarang petani", None, "other"),
    ("", "Dedi | ASN Kemenkeu", "asn"),
    ("Kepala SDN 2 Wonosari", None, "asn"),
    ("Pegawai Pajak | Kanwil DJP", None, "asn"),
    ("Politisi Partai Gerindra", None, "candidate"),
    ("Kepala Desa Sinduadi", None, "other"),
    ("Anggota Polri", None, "other"),
    ("Calon dokter, mahasiswa FK", None, "other"),
]


@pytest.mark.parametrize("bio,name,role", CASES)
def test_roles(bio, name, role):
    assert detect(bio, name).role == role


def test_evidence_spans_point_into_the_field():
    bio = "Ibu dua anak. PNS di Dinkes"
    res = detect(bio)
    assert res.role == "asn"
    ev = res.evidence[0]
    assert bio[ev["start"]:ev["end"]] == ev["text"] and ev["field"] == "bio"


def test_cancelled_cues_are_reported():
    res = detect("mantan anggota KPPS")
    assert res.role == "other"
    assert res.evidence and res.evidence[0]["cancelled_by"].startswith("mantan")


def test_volunteer_evidence_stops_at_the_cue():
    """The span shows the cue a reviewer checks, not a cut through the next word ('... 202')."""
    result = detect("Relawan pemenangan Uda Eka 2024")
    assert result.role == "candidate"
    assert [e["text"] for e in result.evidence if e["role"] == "candidate"] == ["Relawan pemenangan"]
