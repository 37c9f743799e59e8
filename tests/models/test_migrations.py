"""Migrations: an empty database upgrades to head, agrees with the models, and downgrades cleanly."""

from sqlalchemy import inspect

from models import Base
from models.migrate import check, downgrade, upgrade


def test_upgrade_matches_models_and_round_trips(db_url, engine):
    # db_url is already at head (the fixture migrated it): the models must agree with it.
    check(db_url)
    downgrade(db_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(db_url)
    check(db_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
