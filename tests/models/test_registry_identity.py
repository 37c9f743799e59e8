"""Registry identity (issue 12, points 1 and 16): one NIP is one person, rounded NIPs are named, a handle
is never bound from someone else's claim, and office files (BOM, `;`, Windows-1252, CRLF) are read."""

import pytest
from sqlalchemy import func, select

from models import Account, AccountLink, Person, session_scope
from models.registry import nip_problem
from models.registry_import import COLUMNS, RegistryImportError, import_registry

HEADER = ",".join(COLUMNS)
ANDI = "Andi Pratama,pns,Dinas Pendidikan,,,,bluesky,andi.test,,198503122010011002"


def write(tmp_path, *lines, name="r.csv", sep=",", encoding="utf-8", newline="\n"):
    path = tmp_path / name
    text = newline.join([HEADER.replace(",", sep), *lines]) + newline
    path.write_bytes(text.encode(encoding))
    return path


def people(engine):
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Person))


def refused(engine, path, **kw):
    with pytest.raises(RegistryImportError) as err:
        with session_scope(engine, write=True) as session:
            import_registry(session, path, **kw)
    return {bad.line: bad.reason for bad in err.value.rejected}, str(err.value)


def test_one_nip_with_two_names_in_a_file_is_refused_naming_both_lines(engine, tmp_path):
    path = write(tmp_path, ANDI, "Budi Santoso,pns,Dinas Sosial,,,,bluesky,budi.test,,198503122010011002")
    reasons, _ = refused(engine, path)
    assert set(reasons) == {2, 3}
    assert "line 3" in reasons[2] and "'Budi Santoso'" in reasons[2]
    assert "line 2" in reasons[3] and "'Andi Pratama'" in reasons[3]
    assert people(engine) == 0


def test_accept_valid_still_refuses_both_lines_of_a_clashing_nip(engine, tmp_path):
    path = write(tmp_path, ANDI, "Budi Santoso,pns,Dinas Sosial,,,,bluesky,budi.test,,198503122010011002",
                 "Sri,pns,Dinas Sosial,,,,bluesky,sri.test,,")
    with session_scope(engine, write=True) as session:
        report = import_registry(session, path, accept_valid=True)
    assert [r.line for r in report.rejected] == [2, 3] and report.people_created == 1


def test_same_nip_same_person_on_two_rows_is_one_person(engine, tmp_path):
    path = write(tmp_path, ANDI,
                 "Andi  Pratama,pns,Dinas Pendidikan,,,,mastodon,andi@social.example,,198503122010011002")
    with session_scope(engine, write=True) as session:
        report = import_registry(session, path)
    assert report.people_created == 1 and report.links_created == 2


def test_a_stored_nip_with_another_name_is_a_conflict_never_an_update(engine, tmp_path):
    with session_scope(engine, write=True) as session:
        import_registry(session, write(tmp_path, ANDI, name="first.csv"))
    second = write(tmp_path, "Budi Santoso,pns,Dinas Sosial,,,,bluesky,budi.test,,198503122010011002")
    reasons, _ = refused(engine, second)
    assert "already registered to 'Andi Pratama' (Dinas Pendidikan)" in reasons[2]
    assert "first.csv line 2" in reasons[2] and "'Budi Santoso'" in reasons[2]
    with session_scope(engine) as session:
        andi = session.scalar(select(Person))
        assert andi.name == "Andi Pratama" and [lk.account.handle for lk in andi.links] == ["andi.test"]


def test_a_row_without_nip_for_a_person_registered_with_one_is_refused(engine, tmp_path):
    with session_scope(engine, write=True) as session:
        import_registry(session, write(tmp_path, ANDI, name="first.csv"))
    reasons, _ = refused(engine, write(tmp_path, "Andi Pratama,pns,Dinas Pendidikan,,,,bluesky,andi2.test,,"))
    assert "registered with a NIP" in reasons[2]
    assert people(engine) == 1


def test_a_first_nip_is_added_to_the_person_known_by_name(engine, tmp_path):
    with session_scope(engine, write=True) as session:
        import_registry(session, write(tmp_path, "Andi Pratama,pns,Dinas Pendidikan,,,,bluesky,andi.test,,",
                                       name="first.csv"))
    with session_scope(engine, write=True) as session:
        report = import_registry(session, write(tmp_path, ANDI))
    assert report.people_created == 0 and report.people_updated == 1
    with session_scope(engine) as session:
        assert session.scalar(select(Person.nip)) == "198503122010011002" and people(engine) == 1


@pytest.mark.parametrize("nip, words", [
    ("1.98503E+17", "scientific notation"), ("1,98503122010011E+17", "scientific notation"),
    ("198503122010011000", "ends in 000"), ("198503122010012000", "ends in 000"),
])
def test_an_excel_rounded_nip_says_how_to_export_it_as_text(engine, tmp_path, nip, words):
    assert words in nip_problem(nip) and "Format Cells > Text" in nip_problem(nip)
    reasons, _ = refused(engine, write(tmp_path, ANDI.replace("198503122010011002", f'"{nip}"')))
    assert words in reasons[2] and "Text" in reasons[2]


def test_a_handle_another_source_stored_is_not_bound_by_the_registry(engine, tmp_path):
    """An account anyone stored under the handle (an import, a crawl) stays apart; a crawl's lookup binds."""
    with session_scope(engine, write=True) as session:
        session.add(Account(platform="bluesky", platform_id="did:plc:impostor", handle="andi.test"))
    with session_scope(engine, write=True) as session:
        report = import_registry(session, write(tmp_path, ANDI))
    assert report.accounts_created == 1
    with session_scope(engine) as session:
        linked = session.scalars(select(Account).join(AccountLink)).all()
        assert [(a.handle, a.platform_id) for a in linked] == [("andi.test", None)]


def test_a_handle_registered_to_another_person_is_refused(engine, tmp_path):
    with session_scope(engine, write=True) as session:
        import_registry(session, write(tmp_path, ANDI, name="first.csv"))
    reasons, _ = refused(engine, write(tmp_path, "Budi Santoso,pns,Dinas Sosial,,,,bluesky,andi.test,,"))
    assert "already registered to 'Andi Pratama'" in reasons[2]


def test_a_handle_given_to_two_people_in_one_file_is_refused(engine, tmp_path):
    reasons, _ = refused(engine, write(tmp_path, ANDI, "Budi Santoso,pns,Dinas Sosial,,,,bluesky,andi.test,,"))
    assert set(reasons) == {2, 3} and "line 2" in reasons[3]


# -- what offices produce (point 16) ------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(encoding="utf-8-sig"), dict(sep=";"), dict(sep="\t"), dict(newline="\r\n"),
    dict(encoding="utf-8-sig", sep=";", newline="\r\n"),
])
def test_office_dialects_are_read(engine, tmp_path, kw):
    sep = kw.get("sep", ",")
    path = write(tmp_path, ANDI.replace(",", sep), "Sri Wahyuni,kpps,KPU,,,,bluesky,sri.test,,".replace(",", sep),
                 sep * 9, sep * 9, "", **kw)
    with session_scope(engine, write=True) as session:
        report = import_registry(session, path)
    assert report.people_created == 2 and report.rows == 2


def test_windows_1252_is_read(engine, tmp_path):
    path = write(tmp_path, "José Ramos,pns,Dinas Sosial – Kota,,,,bluesky,jose.test,,", encoding="cp1252")
    with session_scope(engine, write=True) as session:
        assert "(read as Windows-1252, not UTF-8)" in import_registry(session, path).summary()
    with session_scope(engine) as session:
        assert session.scalar(select(Person.institution)) == "Dinas Sosial – Kota"


def test_damaged_utf8_names_the_line(engine, tmp_path):
    path = write(tmp_path, "Sri Wahyuni,kpps,KPU Kota – Sawahlunto,,,,bluesky,sri.test,,", ANDI)
    path.write_bytes(path.read_bytes() + b"Jos\xe9,pns,Dinas,,,,bluesky,jose.test,,\n")
    with pytest.raises(RegistryImportError, match=r"r\.csv:4: not UTF-8 text: byte 0xE9 at column 4"):
        with session_scope(engine, write=True) as session:
            import_registry(session, path)


@pytest.mark.parametrize("content, words", [
    (b"PK\x03\x04\x14\x00rest", "spreadsheet workbook"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
    (b"\xff\xfen\x00a\x00", "UTF-16"), (b"name|role\nA|pns\n", "header"),
])
def test_unreadable_files_say_what_to_change(engine, tmp_path, content, words):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(RegistryImportError, match=words):
        with session_scope(engine, write=True) as session:
            import_registry(session, path)


def test_too_long_fields_are_refused_before_the_database_sees_them(engine, tmp_path):
    """PostgreSQL refused a 300-character institution mid-import with a DataError that printed the NIP."""
    path = write(tmp_path, ANDI.replace("Dinas Pendidikan", "D" * 300), "X,pns,Dinas,,," + "R/" * 2 + "r" * 300
                 + ",bluesky,x.test,,")
    reasons, _ = refused(engine, path)
    assert reasons[2] == "institution is 300 characters long; at most 255 fit"
    assert reasons[3] == "region is 300 characters long; at most 255 fit"
    assert "198503122010011002" not in " ".join(reasons.values())


def test_a_database_refusal_prints_no_personal_data(netral_env, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from sqlalchemy.exc import DataError

    import models.cli
    from netral.cli import cli

    def refuse(*_a, **_kw):
        raise DataError("INSERT INTO person ...", {"nip": "198503122010011002", "name": "Andi Pratama"},
                        Exception("value too long for type character varying(255)\nDETAIL: Andi Pratama"))

    monkeypatch.setattr(models.cli, "import_registry", refuse)
    CliRunner().invoke(cli, ["db", "upgrade"])
    result = CliRunner().invoke(cli, ["registry", "import", str(write(tmp_path, ANDI))])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the database refused the data (Exception: value too long for type character varying(255))" in result.output
    assert "198503122010011002" not in result.output and "Andi" not in result.output
