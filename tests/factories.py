"""Row builders for tests: each returns a flushed ORM object with sensible defaults."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from models import (
    Account,
    AccountLink,
    AttributionMethod,
    Flag,
    FlagStatus,
    Interaction,
    InteractionKind,
    LinkStatus,
    Person,
    PersonRole,
    Platform,
    Post,
    Severity,
    User,
    UserRole,
)
from models.evidence import sha256_text
from models.registry import person_key

_seq = itertools.count(1)
WHEN = datetime(2024, 11, 10, 3, 0, tzinfo=UTC)


def _raw(payload: dict) -> tuple[str, str]:
    raw = json.dumps(payload, ensure_ascii=False)
    return raw, sha256_text(raw)


def make_account(session: Session, **kw) -> Account:
    n = next(_seq)
    values = dict(platform=Platform.BLUESKY, platform_id=f"did:plc:test{n}", handle=f"user{n}.test",
                  display_name=f"User {n}", bio="")
    values.update(kw)
    account = Account(**values)
    session.add(account)
    session.flush()
    return account


def make_post(session: Session, author: Account | None = None, text: str = "Halo semua", **kw) -> Post:
    n = next(_seq)
    author = author or make_account(session)
    platform_id = kw.pop("platform_id", f"at://{author.platform_id}/app.bsky.feed.post/{n}")
    raw, digest = _raw({"uri": platform_id, "text": text})
    values = dict(platform=author.platform, platform_id=platform_id, author_account_id=author.id, text=text,
                  url=f"https://bsky.app/profile/{author.handle}/post/{n}", created_at=WHEN,
                  raw_json=raw, raw_sha256=digest)
    values.update(kw)
    post = Post(**values)
    session.add(post)
    session.flush()
    return post


def make_interaction(session: Session, actor: Account, target: Post, kind=InteractionKind.LIKE, **kw) -> Interaction:
    raw, digest = _raw({"actor": actor.platform_id, "subject": target.platform_id, "kind": kind.value})
    values = dict(platform=target.platform, kind=kind, actor_account_id=actor.id, target_post_id=target.id,
                  instance_key="", occurred_at=WHEN, raw_json=raw, raw_sha256=digest)
    values.update(kw)
    interaction = Interaction(**values)
    session.add(interaction)
    session.flush()
    return interaction


def make_person(session: Session, account: Account | None = None, role=PersonRole.PNS, **kw) -> Person:
    n = next(_seq)
    values = dict(name=f"Pegawai {n}", role=role, institution="Dinas Pendidikan Kota Sawahlunto",
                  region_province="Sumatera Barat", region_regency="Kota Sawahlunto")
    values.update(kw)
    key = person_key(values["name"], role.value, values["institution"], values.get("nip"))
    person = Person(person_key=key, **values)
    session.add(person)
    session.flush()
    if account is not None:
        session.add(AccountLink(person_id=person.id, account_id=account.id, method=AttributionMethod.REGISTRY,
                                status=LinkStatus.CONFIRMED, confidence=1.0, evidence={"source": "factory"}))
        session.flush()
    return person


def make_user(session: Session, username: str | None = None, role=UserRole.REVIEWER, password_hash="x") -> User:
    user = User(username=username or f"reviewer{next(_seq)}", password_hash=password_hash, role=role)
    session.add(user)
    session.flush()
    return user


def make_flag(session: Session, interaction: Interaction | None = None, person: Person | None = None, **kw) -> Flag:
    if interaction is None:
        actor = make_account(session)
        interaction = make_interaction(session, actor, make_post(session, text="Ayo coblos nomor 1!"))
    if person is None:
        person = make_person(session, interaction.actor)
    values = dict(rule_code="LIKE_PARTISAN", subject_key=f"interaction:{interaction.id}",
                  interaction_id=interaction.id, post_id=interaction.target_post_id, person_id=person.id,
                  account_id=interaction.actor_account_id, severity=Severity.MEDIUM, score=0.9,
                  explanation="Menyukai unggahan partisan", status=FlagStatus.NEW, event_at=interaction.occurred_at,
                  platform=interaction.platform, institution=person.institution,
                  region_province=person.region_province, region_regency=person.region_regency)
    values.update(kw)
    flag = Flag(**values)
    session.add(flag)
    session.flush()
    return flag
