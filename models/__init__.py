"""Store stage: the schema every stage shares (typed ORM classes, engine and session setup, migrations).

It also holds the election profile, the registry import, the audit chain and the `netral db` / `registry` /
`profile` / `audit` commands with the helpers every stage's commands share (`models.cli.open_engine`). It
imports nothing of ours; every stage but samplenet and nlp's pure modules may import it.
"""

from models.audit import AuditEvent, record_event, verify_chain
from models.base import (
    AttributionMethod,
    Base,
    Decision,
    FlagStatus,
    InteractionKind,
    Label,
    LinkStatus,
    PersonRole,
    Platform,
    RunStatus,
    Severity,
    UserRole,
    utcnow,
)
from models.jobs import CrawlRun
from models.registry import AccountLink, Person
from models.review import Classification, Flag, Review
from models.session import database_url, immediate, make_engine, session_factory, session_scope
from models.social import Account, Interaction, Post
from models.users import User

__all__ = [
    "Account", "AccountLink", "AttributionMethod", "AuditEvent", "Base", "Classification", "CrawlRun",
    "Decision", "Flag", "FlagStatus", "Interaction", "InteractionKind", "Label", "LinkStatus", "Person",
    "PersonRole", "Platform", "Post", "Review", "RunStatus", "Severity", "User", "UserRole",
    "database_url", "immediate", "make_engine", "record_event", "session_factory", "session_scope",
    "utcnow", "verify_chain",
]
