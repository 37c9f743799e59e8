"""The foundation's commands, driven through Click's CliRunner like a user would."""

from click.testing import CliRunner
from sqlalchemy import text

from models.session import make_engine
from netral.cli import cli
from tests.conftest import FIXTURES, ROOT

GOOD = str(FIXTURES / "registry" / "good.csv")
BAD = str(FIXTURES / "registry" / "bad.csv")


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# Every command a user can type, as the README documents them; the layout may move code, never these.
COMMANDS = {
    "": ["audit", "classify", "crawl", "db", "demo", "detect-role", "export", "flag", "import", "nlp", "profile",
         "registry", "scheduler", "serve", "user"],
    "audit": ["head", "seal", "verify"], "crawl": ["bluesky", "mastodon", "runs"],
    "db": ["check", "current", "upgrade"],
    "export": ["case", "interactions", "summary"], "nlp": ["evaluate", "train"], "profile": ["check"],
    "registry": ["import", "list"], "scheduler": ["list"], "user": ["add", "list", "password"],
}


def test_help_lists_every_command():
    for group, expected in COMMANDS.items():
        command = cli if not group else cli.commands[group]
        assert sorted(command.commands) == expected, group
        listing = run(*([group] if group else []), "--help").output
        for name in expected:
            assert f"  {name} " in listing, (group, name)


def test_db_upgrade_on_fresh_sqlite_file_in_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("NETRAL_DATABASE_URL", raising=False)
    monkeypatch.setenv("NETRAL_INSTANCE_DIR", str(tmp_path / "inst"))
    assert run("db", "upgrade").exit_code == 0
    assert (tmp_path / "inst" / "netral.db").exists()
    assert run("db", "check").exit_code == 0


def test_commands_refuse_an_unmigrated_database(tmp_path, monkeypatch):
    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = CliRunner().invoke(cli, ["registry", "list"])
    assert result.exit_code != 0 and "netral db upgrade" in result.output


def test_registry_import_list_and_reimport(netral_env):
    first = run("registry", "import", GOOD)
    assert first.exit_code == 0 and "3 people created" in first.output
    second = run("registry", "import", GOOD)
    assert "0 people created" in second.output and "4 unchanged" in second.output
    listing = run("registry", "list")
    assert "Sri Wahyuni" in listing.output and "bluesky:sri.test" in listing.output
    assert "198503122010011002" not in listing.output  # NIP hidden unless asked
    assert "198503122010011002" in run("registry", "list", "--show-nip").output


def test_registry_import_bad_rows_reported_with_lines(netral_env, tmp_path):
    result = CliRunner().invoke(cli, ["registry", "import", BAD])
    assert result.exit_code == 1
    assert "bad.csv:3: unknown role 'lurah'" in result.output
    assert "nothing imported" in result.output
    rejects = tmp_path / "rejects.csv"
    partial = CliRunner().invoke(cli, ["registry", "import", BAD, "--accept-valid", "--rejects", str(rejects)])
    assert partial.exit_code == 0 and "1 people created" in partial.output
    assert rejects.read_text().count("\n") == 6


def test_profile_check(tmp_path):
    ok = run("profile", "check", str(ROOT / "examples" / "profile.yaml"))
    assert ok.exit_code == 0 and "Profile is valid" in ok.output
    bad = tmp_path / "p.yaml"
    bad.write_text((ROOT / "examples" / "profile.yaml").read_text().replace("number: 2", "number: dua"))
    result = CliRunner().invoke(cli, ["profile", "check", str(bad)])
    assert result.exit_code == 1 and "candidates.1.number" in result.output


def test_audit_verify_detects_tampering(netral_env):
    run("registry", "import", GOOD)
    run("registry", "import", GOOD)
    assert "2 event(s)" in run("audit", "verify").output
    engine = make_engine(netral_env)
    if engine.dialect.name != "sqlite":
        return  # the trigger-dropping variant for PostgreSQL lives in tests/models/test_audit_chain.py
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_event_no_update"))
        conn.execute(text("UPDATE audit_event SET details = '{}' WHERE id = 1"))
    result = CliRunner().invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1 and "broken at event 1" in result.output


def test_profile_check_warns_about_names_that_are_ordinary_words(tmp_path):
    prof = tmp_path / "p.yaml"
    text = (ROOT / "examples" / "profile.yaml").read_text()
    prof.write_text(text.replace("aliases: [Pak Hendra, MAJU BERSAMA]", "aliases: [Pak Hendra, MAJU BERSAMA, Sandi]"))
    result = run("profile", "check", str(prof))
    assert result.exit_code == 0 and "Profile is valid" in result.output
    assert "alias 'Sandi' is also an ordinary word" in result.output
    assert "'budi' of 'Budi Santoso Wiratama' is an ordinary word" in result.output
    assert "'Pak Hendra'" not in result.output and "'MAJU BERSAMA'" not in result.output
