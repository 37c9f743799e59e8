"""A handle is a claim, not an identity (issue 12, point 2): only a crawl's word binds a registry handle.

The generic import never binds; a crawl's resolution binds even to an account stored before; two accounts
claiming one registry handle bind neither and go to an admin (suggested links), who binds one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.items import AccountItem, PostItem
from models import Account, AccountLink, LinkStatus, Person, Platform, session_scope
from models.bindings import bind_by_admin
from models.ingest import Ingestor
from netral.cli import cli
from tests.factories import make_person

T0 = datetime(2024, 11, 1, tzinfo=UTC)


def registry_handle(engine, handle="andi.test", platform=Platform.BLUESKY) -> tuple[int, int]:
    with Session(engine) as session:
        acct = Account(platform=platform, platform_id=None, handle=handle)
        session.add(acct)
        session.flush()
        person = make_person(session, acct)
        session.commit()
        return acct.id, person.id


def links(engine) -> list[tuple]:
    with Session(engine) as session:
        rows = session.execute(select(Account.platform_id, Account.handle, AccountLink.method, AccountLink.status)
                               .join(AccountLink)).all()
        return sorted(((pid, h, m.value, s.value) for pid, h, m, s in rows), key=lambda r: (r[0] or "", r[2], r[3]))


def store(engine, *accounts, resolves=True):
    ing = Ingestor(engine) if resolves else Ingestor(engine, resolves_handles=False)
    for a in accounts:
        ing.add_account(a)
    ing.flush()


def looked_up(did: str, handle: str = "andi.test") -> AccountItem:
    return AccountItem("bluesky", did, handle, lookup_handle=handle)


def test_generic_import_row_with_a_registry_handle_binds_nothing(netral_env, engine, tmp_path):
    registry_handle(engine)
    rows = [{"type": "account", "platform": "bluesky", "platform_id": "did:plc:impostor", "handle": "andi.test"},
            {"type": "post", "platform": "bluesky", "platform_id": "at://did:plc:impostor/app.bsky.feed.post/1",
             "author": {"platform_id": "did:plc:impostor", "handle": "andi.test", "lookup_handle": "andi.test"},
             "text": "Ayo coblos nomor 1", "created_at": "2024-11-10T03:00:00Z"}]
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert links(engine) == [(None, "andi.test", "registry", "confirmed")]
    # The real account, crawled later, is the one bound.
    store(engine, looked_up("did:plc:real"))
    assert links(engine) == [("did:plc:real", "andi.test", "registry", "confirmed")]


def test_an_ingestor_that_does_not_resolve_never_binds(engine):
    registry_handle(engine)
    store(engine, looked_up("did:plc:other"), resolves=False)
    assert links(engine) == [(None, "andi.test", "registry", "confirmed")]


def test_a_resolution_binds_an_account_stored_before_and_records_the_proof(engine):
    """The real account was stored first (a liker); the placeholder's link moves onto it."""
    placeholder, _ = registry_handle(engine)
    store(engine, AccountItem("bluesky", "did:plc:real", "someone.else"))
    store(engine, looked_up("did:plc:real"))
    assert links(engine) == [("did:plc:real", "andi.test", "registry", "confirmed")]
    with Session(engine) as session:
        assert session.get(Account, placeholder) is None
        link = session.scalar(select(AccountLink))
        assert link.evidence["bound"]["proof"] == "crawl" and link.evidence["bound"]["via"] == "lookup"


def test_a_resolution_to_an_unverified_handle_binds_nothing(engine):
    registry_handle(engine)
    store(engine, AccountItem("bluesky", "did:plc:x", "handle.invalid", lookup_handle="andi.test"))
    assert links(engine) == [(None, "andi.test", "registry", "confirmed")]


def test_two_accounts_claiming_one_handle_bind_neither_and_go_to_an_admin(engine):
    placeholder, person_id = registry_handle(engine)
    store(engine, looked_up("did:plc:one"), AccountItem("bluesky", "did:plc:two", "andi.test"))
    assert links(engine) == [(None, "andi.test", "registry", "confirmed"),
                             ("did:plc:one", "andi.test", "detection", "suggested"),
                             ("did:plc:two", "andi.test", "detection", "suggested")]
    with Session(engine) as session:
        held = session.scalar(select(AccountLink).where(AccountLink.account_id == placeholder))
        assert held.evidence["handle_claims"] == ["did:plc:one", "did:plc:two"]
        suggested = session.scalar(select(AccountLink).join(Account).where(Account.platform_id == "did:plc:two"))
        assert suggested.evidence["claims"] == ["did:plc:one", "did:plc:two"] and "admin" in suggested.note
    with Session(engine) as session:  # a suggestion accuses no one: neither claimant is monitored
        from nlp.jobs.flag import monitored_accounts

        claimants = session.scalars(select(Account.id).where(Account.platform_id.is_not(None))).all()
        assert len(claimants) == 2 and not set(monitored_accounts(session)) & set(claimants)
    # A later single claim waits for the admin too.
    store(engine, looked_up("did:plc:one"))
    assert links(engine)[0] == (None, "andi.test", "registry", "confirmed")
    # The admin binds one; the other suggestion is rejected.
    with session_scope(engine, write=True) as session:
        two = session.scalar(select(Account.id).where(Account.platform_id == "did:plc:two"))
        bind_by_admin(session, placeholder, two, "admin")
    assert links(engine) == [("did:plc:one", "andi.test", "detection", "rejected"),
                             ("did:plc:two", "andi.test", "registry", "confirmed")]
    with Session(engine) as session:
        link = session.scalar(select(AccountLink).join(Person).where(AccountLink.status == LinkStatus.CONFIRMED))
        assert link.person_id == person_id and link.evidence["bound"]["proof"] == "admin"


def test_a_bound_handle_resolved_to_another_account_goes_to_an_admin(engine):
    registry_handle(engine)
    store(engine, looked_up("did:plc:one"))
    store(engine, looked_up("did:plc:two"))
    assert links(engine) == [("did:plc:one", "andi.test", "registry", "confirmed"),
                             ("did:plc:two", "andi.test", "detection", "suggested")]


def test_a_bare_mastodon_name_is_bound_by_the_instance_lookup(engine):
    registry_handle(engine, "andi", Platform.MASTODON)
    store(engine, AccountItem("mastodon", "https://social.example/users/andi", "andi@social.example",
                              lookup_handle="andi"))
    assert links(engine) == [("https://social.example/users/andi", "andi@social.example", "registry", "confirmed")]


def test_registry_import_then_crawl_binds_and_posts_follow(engine, tmp_path):
    """End to end: registry row, an impostor import, the crawl's resolution; the person's posts are the real ones."""
    from models.registry_import import COLUMNS, import_registry

    path = tmp_path / "r.csv"
    path.write_text(",".join(COLUMNS) + "\nAndi,pns,Dinas,,,,bluesky,andi.test,,\n")
    with session_scope(engine, write=True) as session:
        import_registry(session, path)
    store(engine, AccountItem("bluesky", "did:plc:impostor", "andi.test"), resolves=False)
    ing = Ingestor(engine)
    ing.add_post(PostItem("bluesky", "at://did:plc:real/app.bsky.feed.post/1", looked_up("did:plc:real"),
                          raw_json="{}", fetched_at=T0))
    ing.flush()
    assert links(engine) == [("did:plc:real", "andi.test", "registry", "confirmed")]


def test_a_handle_resolving_to_an_account_registered_to_someone_else_goes_to_an_admin(engine):
    """Andi's account changed its handle to the one Budi was registered with: one account is one person's."""
    registry_handle(engine, "andi.test")
    store(engine, looked_up("did:plc:one", "andi.test"))
    registry_handle(engine, "budi.test")
    store(engine, looked_up("did:plc:one", "budi.test"))
    assert links(engine) == [(None, "budi.test", "registry", "confirmed"),
                             ("did:plc:one", "budi.test", "detection", "suggested"),
                             ("did:plc:one", "budi.test", "registry", "confirmed")]
