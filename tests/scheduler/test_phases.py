"""A schedule's keys are the election phases of models.base.Phase plus "default" (not a phase)."""

from datetime import UTC, datetime

from models.base import Phase
from scheduler.specs import PHASES, phase_now
from tests.conftest import ROOT


def test_schedule_keys_are_the_phase_values_and_default():
    assert PHASES == ("before", "campaign", "quiet", "voting_day", "after", "default")
    assert PHASES[:-1] == tuple(p.value for p in Phase)
    assert all(type(key) is str for key in PHASES)  # form field names and YAML keys, not enum reprs


def test_phase_now_is_a_plain_value():
    phase = phase_now(str(ROOT / "examples" / "profile.yaml"), datetime(2024, 11, 25, 6, tzinfo=UTC))
    assert phase == "quiet" and type(phase) is str
    assert phase_now(None, datetime(2024, 11, 25, tzinfo=UTC)) == "default"
