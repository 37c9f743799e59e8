"""Registry import: idempotent, all-or-nothing, every bad row named with its line and reason."""

import csv
import shutil

import pytest
from sqlalchemy import func, select

from models import Account, AccountLink, AuditEvent, Person, session_scope
from models.registry import nip_problem
from models.registry_import import RegistryImportError, import_registry, split_region, write_rejects
from tests.conftest import FIXTURES

GOOD = FIXTURES / "registry" / "good.csv"
BAD = FIXTURES / "registry" / "bad.csv"


def _counts(session):
    return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Person, Account, AccountLink))


def test_good_file_imports_and_second_import_changes_nothing(engine):
    with session_scope(engine, write=True) as session:
        report = import_registry(session, GOOD)
    assert (report.people_created, report.accounts_created, report.links_created) == (3, 4, 4)
    with session_scope(engine) as session:
        first = _counts(session)
        andi = session.scalar(select(Person).where(Person.nip == "198503122010011002"))
        assert sorted(link.account.handle for link in andi.links) == ["andi.test", "andi@social.example"]
        sri = session.scalar(select(Person).where(Person.name == "Sri Wahyuni"))
        assert sri.region_village == "Kubang Sirakuk" and sri.links[0].account.handle == "sri.test"
        updated = {p.id: p.updated_at for p in session.scalars(select(Person))}
    with session_scope(engine, write=True) as session:
        again = import_registry(session, GOOD)
    assert (again.people_created, again.people_updated, again.accounts_created, again.links_created) == (0, 0, 0, 0)
    assert again.unchanged == 4
    with session_scope(engine) as session:
        assert _counts(session) == first
        assert {p.id: p.updated_at for p in session.scalars(select(Person))} == updated


def test_bad_file_is_rejected_whole_with_reasons(engine):
    with pytest.raises(RegistryImportError) as err:
        with session_scope(engine, write=True) as session:
            import_registry(session, BAD)
    reasons = {bad.line: bad.reason for bad in err.value.rejected}
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert "unknown role 'lurah'" in reasons[3]
    assert "unknown platform 'friendster'" in reasons[4]
    assert "NIP" in reasons[5]
    assert "name is missing" in reasons[6]
    assert "handle or profile_url" in reasons[7]
    with session_scope(engine) as session:
        assert _counts(session) == (0, 0, 0)
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_accept_valid_takes_good_rows_and_writes_rejects(engine, tmp_path):
    with session_scope(engine, write=True) as session:
        report = import_registry(session, BAD, accept_valid=True)
    assert report.people_created == 1 and len(report.rejected) == 5
    out = tmp_path / "rejects.csv"
    write_rejects(report.rejected, out)
    rows = list(csv.DictReader(out.open()))
    assert [r["line"] for r in rows] == ["3", "4", "5", "6", "7"] and rows[0]["name"] == "Budi"


def test_changed_row_updates_the_person(engine, tmp_path):
    with session_scope(engine, write=True) as session:
        import_registry(session, GOOD)
    edited = tmp_path / "edited.csv"
    shutil.copy(GOOD, edited)
    edited.write_text(edited.read_text().replace("SMP Negeri 2,Guru", "SMP Negeri 2,Kepala Sekolah"))
    with session_scope(engine, write=True) as session:
        report = import_registry(session, edited)
    assert report.people_updated == 1 and report.people_created == 0


def test_missing_header_column_is_named(engine, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("name,role\nA,pns\n")
    with pytest.raises(RegistryImportError, match="institution"):
        with session_scope(engine, write=True) as session:
            import_registry(session, broken)


@pytest.mark.parametrize(
    "nip, ok",
    [("198503122010011002", True), ("19850312201001100", False), ("198513122010011002", False),
     ("198503122010131002", False), ("198503122010013002", False), ("19850312201001100a", False)],
)
def test_nip_validation(nip, ok):
    assert (nip_problem(nip) is None) == ok


def test_region_levels():
    assert split_region("Jawa Barat > Kota Bandung")["region_regency"] == "Kota Bandung"
    with pytest.raises(ValueError):
        split_region("a/b/c/d/e")


def test_reimport_after_crawl_resolved_a_bare_mastodon_handle(engine, tmp_path):
    """A crawl rewrites `andi` to `andi@social.example`; importing the registry again must not add an account."""
    registry = tmp_path / "r.csv"
    registry.write_text("name,role,institution,unit,position,region,platform,handle,profile_url,nip\n"
                        "Andi,pns,Dinas Sosial,,,,mastodon,andi,,\n")
    with session_scope(engine, write=True) as session:
        import_registry(session, registry)
    with session_scope(engine, write=True) as session:
        account = session.scalar(select(Account))
        account.handle, account.platform_id = "andi@social.example", "https://social.example/users/andi"
    with session_scope(engine, write=True) as session:
        report = import_registry(session, registry)
    assert report.accounts_created == 0 and report.unchanged == 1
    with session_scope(engine) as session:
        assert _counts(session) == (1, 1, 1)
