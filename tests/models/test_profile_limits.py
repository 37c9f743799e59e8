"""`netral profile check` of bad input (issue 12, point 16): each a clear error, never a traceback."""

import pytest
from click.testing import CliRunner

from models.profile import MAX_BYTES, ProfileError, load_profile
from netral.cli import cli
from tests.conftest import ROOT

EXAMPLE = (ROOT / "examples" / "profile.yaml").read_text(encoding="utf-8")


def _bad(tmp_path, content: bytes) -> str:
    path = tmp_path / "profile.yaml"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["profile", "check", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    with pytest.raises(ProfileError):
        load_profile(path)
    return result.output.replace(str(path), "FILE")


def test_an_impossible_date_names_the_field(tmp_path):
    out = _bad(tmp_path, EXAMPLE.replace("voting_day: 2024-11-27", "voting_day: 2024-02-30").encode())
    assert out.startswith("Error: FILE: election.voting_day: Input should be a valid date")


def test_latin1_bytes_name_the_line(tmp_path):
    out = _bad(tmp_path, EXAMPLE.replace("name: Pilkada", "name: Pilkada Jos\u00e9").encode("latin-1"))
    line = next(n for n, text in enumerate(EXAMPLE.splitlines(), 1) if "name: Pilkada" in text)
    assert f"Error: FILE:{line}: not UTF-8 text: byte 0xE9" in out


def test_deep_nesting_is_refused_before_it_is_built(tmp_path):
    out = _bad(tmp_path, b"election: " + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    assert "Error: FILE:1: nested more than 20 levels deep" in out


def test_aliases_are_refused(tmp_path):
    out = _bad(tmp_path, b"a: &x [1, 2]\nb: [*x, *x]\n")
    assert "Error: FILE:2: YAML aliases" in out


def test_a_large_file_is_refused_unread(tmp_path):
    out = _bad(tmp_path, EXAMPLE.encode() + b"#" * (60 * 1024 * 1024))
    assert f"a profile is at most {MAX_BYTES:,} bytes" in out


def test_a_valid_profile_with_bom_and_crlf_still_loads(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + EXAMPLE.replace("\n", "\r\n").encode())
    assert load_profile(path).election.voting_day.isoformat() == "2024-11-27"
