"""models.ingest's hand-typed column lists name the real columns of their tables, and the crawler's items
satisfy the protocols describing what the ingestor reads.

The upserts are raw SQL over JSON batch documents (jsonb_array_elements / json_each), so a misspelt column
would only fail when a crawl writes; these checks fail at test time instead (the negative cases below show
a misspelling is caught).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import BigInteger, DateTime, Integer, String, Table, Text, UniqueConstraint

from crawler.items import AccountItem, InteractionItem, PostItem, ScopeDone
from models import ingest
from models.social import Account, Interaction, Post

ACCOUNT, POST, INTERACTION = Account.__table__, Post.__table__, Interaction.__table__


def names(spec: str | typing.Iterable[str]) -> list[str]:
    """Column names from a comma-separated SQL list or a sequence of names."""
    return [n.strip() for n in spec.split(",")] if isinstance(spec, str) else list(spec)


def unknown(columns: typing.Iterable[str], table: Table) -> list[str]:
    return [c for c in columns if c not in table.c]


def writable(table: Table, *never_inserted: str) -> set[str]:
    """The columns an INSERT may set: all but the generated primary key and the ones named."""
    return {c.key for c in table.c if not (c.primary_key and c.autoincrement)} - set(never_inserted)


def set_columns(set_sql: str, table: Table) -> tuple[list[str], list[str]]:
    """(assigned columns, referenced columns) of an ON CONFLICT ... DO UPDATE SET clause."""
    assigned = re.findall(r"(?:^|,)\s*(\w+)\s*=", set_sql)
    referenced = re.findall(rf"\b(?:excluded|{table.name})\.(\w+)", set_sql)
    return assigned, referenced


def cast_for(column) -> str:
    """The PostgreSQL cast a batch document's value of this column needs."""
    kind = column.type
    if isinstance(kind, Text):
        return "text"
    if isinstance(kind, String):  # also the value enums (VARCHAR)
        return "varchar"
    if isinstance(kind, (BigInteger, Integer)):
        return "bigint"
    if isinstance(getattr(kind, "impl", None), DateTime):
        return "timestamptz"
    raise AssertionError(f"no cast known for {column}")


# (what, the names, the table, the columns it must equal exactly, or None when it is a subset)
LISTS = [
    ("ACCOUNT_COLS", ingest.ACCOUNT_COLS, ACCOUNT, writable(ACCOUNT)),
    ("ACCOUNT_KEY", names(ingest.ACCOUNT_KEY), ACCOUNT, None),
    ("ACCOUNT_RETURNING", names(ingest.ACCOUNT_RETURNING), ACCOUNT, None),
    # A new post or interaction is never removed: removed_at is only set later, by a scope.
    ("POST_COLS", ingest.POST_COLS, POST, writable(POST, "removed_at")),
    ("POST_KEY", ingest.POST_KEY, POST, None),
    ("POST_MERGED", ingest.POST_MERGED, POST, None),
    ("INTERACTION_COLS", ingest.INTERACTION_COLS, INTERACTION, writable(INTERACTION, "removed_at")),
    ("INTERACTION_KEY", names(ingest.INTERACTION_KEY), INTERACTION, None),
]


@pytest.mark.parametrize(("what", "columns", "table", "complete"), LISTS, ids=[entry[0] for entry in LISTS])
def test_column_lists_name_real_columns(what, columns, table, complete):
    assert not unknown(columns, table), what
    assert len(set(columns)) == len(list(columns)), f"{what} repeats a column"
    if complete is not None:
        assert set(columns) == complete, what


@pytest.mark.parametrize(("cols", "table"), [(ingest.ACCOUNT_COLS, ACCOUNT), (ingest.INTERACTION_COLS, INTERACTION)],
                         ids=["account", "interaction"])
def test_batch_document_casts_match_the_column_types(cols, table):
    assert {name: cast_for(table.c[name]) for name in cols} == cols


@pytest.mark.parametrize(("key", "table"), [(names(ingest.ACCOUNT_KEY), ACCOUNT), (ingest.POST_KEY, POST),
                                            (names(ingest.INTERACTION_KEY), INTERACTION)],
                         ids=["account", "post", "interaction"])
def test_conflict_keys_are_unique_constraints(key, table):
    """ON CONFLICT (cols) needs a unique constraint on exactly those columns."""
    uniques = [[c.key for c in con.columns] for con in table.constraints if isinstance(con, UniqueConstraint)]
    assert list(key) in uniques


@pytest.mark.parametrize(("what", "set_sql", "table", "key"),
                         [("ACCOUNT_SET", ingest.ACCOUNT_SET, ACCOUNT, ingest.ACCOUNT_KEY),
                          ("INTERACTION_SET", ingest.INTERACTION_SET, INTERACTION, ingest.INTERACTION_KEY)])
def test_update_clauses_name_real_columns(what, set_sql, table, key):
    assigned, referenced = set_columns(set_sql, table)
    assert assigned and referenced, what
    assert not unknown(assigned + referenced, table), what
    assert not set(assigned) & {"id", *names(key)}, f"{what} rewrites the row's identity"


# A misspelt name in any list, or in an update clause, is reported.
@pytest.mark.parametrize(("what", "columns", "table", "complete"), LISTS, ids=[entry[0] for entry in LISTS])
def test_a_misspelt_column_is_caught(what, columns, table, complete):
    columns = list(columns)
    misspelt = [columns[0] + "x", *columns[1:]]
    assert unknown(misspelt, table) == [columns[0] + "x"]
    if complete is not None:
        assert set(misspelt) != complete


def test_a_misspelt_column_in_an_update_clause_is_caught():
    assigned, referenced = set_columns(ingest.ACCOUNT_SET.replace("excluded.bio", "excluded.bioo"), ACCOUNT)
    assert unknown(assigned + referenced, ACCOUNT) == ["bioo"]
    assigned, referenced = set_columns(ingest.INTERACTION_SET.replace("last_seen_at =", "last_seen =", 1), INTERACTION)
    assert unknown(assigned + referenced, INTERACTION) == ["last_seen"]


def test_merged_fields_are_interaction_attributes():
    members = protocol_members(ingest.InteractionLike)
    assert set(ingest.MERGED_FIELDS) <= members
    assert set(ingest.MERGED_FIELDS) <= {f.name for f in dataclasses.fields(InteractionItem)}


# --- the crawler's items satisfy the protocols ---------------------------------------------------------

def protocol_members(protocol: type) -> set[str]:
    """The attributes and properties a protocol declares."""
    props = {name for name, value in vars(protocol).items() if isinstance(value, property)}
    return set(typing.get_type_hints(protocol)) | props


NOW = datetime(2024, 10, 1, tzinfo=UTC)
ACCOUNT_ITEM = AccountItem("bluesky", "did:plc:abc", handle="ani.test")
POST_ITEM = PostItem("bluesky", "at://did:plc:abc/app.bsky.feed.post/1", ACCOUNT_ITEM, "{}", NOW)
INTERACTION_ITEM = InteractionItem("bluesky", "like", ACCOUNT_ITEM, POST_ITEM.platform_id, "{}", NOW)
SCOPE_ITEM = ScopeDone("bluesky", "target", POST_ITEM.platform_id, ("like",))
PAIRS = [(ingest.AccountLike, AccountItem, ACCOUNT_ITEM), (ingest.PostLike, PostItem, POST_ITEM),
         (ingest.InteractionLike, InteractionItem, INTERACTION_ITEM), (ingest.ScopeLike, ScopeDone, SCOPE_ITEM)]


@pytest.mark.parametrize(("protocol", "item_cls", "item"), PAIRS, ids=[p[0].__name__ for p in PAIRS])
def test_crawler_items_satisfy_the_protocols(protocol, item_cls, item):
    members = protocol_members(protocol)
    fields = {f.name for f in dataclasses.fields(item_cls)}
    props = {name for name, value in vars(item_cls).items() if isinstance(value, property)}
    missing = members - fields - props
    assert not missing, f"{item_cls.__name__} lacks {sorted(missing)} that models.ingest reads"
    assert isinstance(item, protocol)


def test_a_missing_attribute_breaks_the_protocol():
    @dataclasses.dataclass
    class Incomplete:  # an account without lookup_handle
        platform: str
        platform_id: str
        handle: str | None = None
        display_name: str | None = None
        bio: str | None = None
        profile_url: str | None = None

    assert not isinstance(Incomplete("bluesky", "did:plc:abc"), ingest.AccountLike)
    assert "lookup_handle" in protocol_members(ingest.AccountLike) - {f.name for f in dataclasses.fields(Incomplete)}


def test_the_protocols_name_every_attribute_the_ingestor_reads():
    """Every `post.x`, `inter.x`, `scope.x`, `a.x` read in models/ingest.py is declared by its protocol."""
    source = Path(ingest.__file__).read_text(encoding="utf-8")
    source = re.sub(r"(?m)^\w+_VALUES = .*$", "", source)  # `p.value for p in Platform`: an enum, not a post
    reads = {
        ingest.PostLike: set(re.findall(r"\b(?:post|p)\.(\w+)", source)),
        ingest.InteractionLike: set(re.findall(r"\b(?:inter|i)\.(\w+)", source)),
        ingest.ScopeLike: set(re.findall(r"\bscope\.(\w+)", source)),
        ingest.AccountLike: set(re.findall(r"\b(?:account|a)\.(\w+)", source)),
    }
    for protocol, attributes in reads.items():
        assert attributes and attributes <= protocol_members(protocol), (protocol.__name__, sorted(attributes))
