"""The stable batch contract of `netral classify FILE` and `netral detect-role FILE`."""

import json

from click.testing import CliRunner

from tests.conftest import ROOT

PROFILE = str(ROOT / "examples" / "profile.yaml")


def run(cli, args, stdin=None):
    return CliRunner().invoke(cli, args, input=stdin)


def test_classify_answers_every_good_line_and_names_bad_ones(nlp_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "Ayo coblos Bang Budi!"}\nnot json\n\n'
                   '{"id": "b", "text": "KPU umumkan DPT"}\n{"id": 3}\n{"text": "no id"}\n[1]\n'
                   '{"id": 4, "text": 5}\n{"id": null, "text": "Kampanye imunisasi"}\n', encoding="utf-8")
    result = run(nlp_cli, ["classify", "--profile", PROFILE, str(src)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b", None]
    for o in out:
        assert set(o) == {"id", "label", "score", "reasons"}
        assert o["label"] in {"partisan", "election_info", "other"} and isinstance(o["score"], float)
    assert [o["label"] for o in out] == ["partisan", "election_info", "other"]
    for n in (2, 5, 6, 7, 8):
        assert f"line {n}:" in result.stderr


def test_classify_reads_stdin_and_exits_zero_when_all_good(nlp_cli):
    lines = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(["halo", "pilkada damai"]))
    result = run(nlp_cli, ["classify", "-"], stdin=lines)
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_classify_bad_utf8_is_malformed(nlp_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": 1, "text": "\xff\xfe"}\n{"id": 2, "text": "ok"}\n')
    result = run(nlp_cli, ["classify", str(src)])
    assert result.exit_code == 1 and "line 1: not valid UTF-8" in result.stderr
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [2]


def test_detect_role_contract(nlp_cli):
    lines = ('{"id": 1, "bio": "ASN Pemkab Sleman", "name": "Budi"}\n{"id": 2, "bio": "Mantan PNS"}\n'
             '{"id": 3, "name": "x"}\n{"id": 4, "bio": "Ketua KPPS TPS 3", "name": null}\n')
    result = run(nlp_cli, ["detect-role", "-"], stdin=lines)
    assert result.exit_code == 1 and "line 3:" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["id"], o["role"]) for o in out] == [(1, "asn"), (2, "other"), (4, "organizer")]
    assert all(set(o) == {"id", "role", "score", "evidence"} for o in out)


def test_missing_file_is_an_error(nlp_cli, tmp_path):
    result = run(nlp_cli, ["classify", str(tmp_path / "nope.jsonl")])
    assert result.exit_code != 0


def test_classify_lone_surrogate_is_malformed_not_a_traceback(nlp_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "ok"}\n{"id": 2, "text": "x\\ud800y"}\n{"id": "\\udc00", "text": "a"}\n'
                   '{"id": 4, "text": "halo"}\n', encoding="utf-8")
    result = run(nlp_cli, ["classify", str(src)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "line 2:" in result.stderr and "line 3:" in result.stderr and "Traceback" not in result.stderr
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [1, 4]
