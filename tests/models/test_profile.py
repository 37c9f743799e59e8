"""Election profiles: the documented shape loads; a bad one fails naming the field."""

from datetime import date

import pytest
import yaml

from models.profile import ProfileError, load_profile, parse_profile
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "profile.yaml"


def _example() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


def test_example_profile_loads():
    profile = load_profile(EXAMPLE)
    assert [c.number for c in profile.candidates] == [1, 2]
    assert profile.phase_on(date(2024, 10, 1)) == "campaign"
    assert profile.phase_on(date(2024, 11, 25)) == "quiet"
    assert profile.phase_on(date(2024, 11, 27)) == "voting_day"
    assert profile.phase_on(date(2024, 9, 1)) == "before"
    assert [a.handle for a in profile.candidate_accounts("bluesky")] == ["bersinar01.test", "majubersama02.test"]


def test_issue_shape_loads_exactly():
    doc = """
election:
  name: Pilkada Kota Sawahlunto 2024
  region: Kota Sawahlunto
  voting_day: 2024-11-27
  campaign_period: {start: 2024-09-25, end: 2024-11-23}
  quiet_period: {start: 2024-11-24, end: 2024-11-26}
candidates:
  - number: 1
    names: [Full Name Of Head, Full Name Of Deputy]
    aliases: [Nickname, TAGLINE]
    parties: [Gerindra, PKS]
    hashtags: ["#Tagline01"]
    accounts: [{platform: bluesky, handle: tagline01.bsky.social}]
"""
    profile = parse_profile(yaml.safe_load(doc))
    assert profile.candidates[0].accounts[0].handle == "tagline01.bsky.social"


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["election"].pop("voting_day"), "election.voting_day"),
        (lambda d: d["candidates"][0].update(number="satu"), "candidates.0.number"),
        (lambda d: d["candidates"][1]["accounts"][0].update(platform="myspace"), "candidates.1.accounts.0.platform"),
        (lambda d: d["election"]["quiet_period"].update(start="2024-11-20"), "election"),
        (lambda d: d["candidates"][1].update(number=1), "ballot numbers must be unique"),
        (lambda d: d["candidates"][0].update(slogan="x"), "candidates.0.slogan"),
        (lambda d: d["election"]["campaign_period"].update(end="2024-09-01"), "election.campaign_period"),
    ],
)
def test_errors_name_the_field(mutate, field):
    data = _example()
    mutate(data)
    with pytest.raises(ProfileError, match=field.replace(".", r"\.")):
        parse_profile(data)


def test_unreadable_and_invalid_yaml(tmp_path):
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("election: [unclosed")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(bad)


def test_phase_on_returns_the_phase_enum():
    from models.base import Phase

    profile = load_profile(EXAMPLE)
    days = {Phase.BEFORE: date(2024, 9, 1), Phase.CAMPAIGN: date(2024, 10, 1), Phase.QUIET: date(2024, 11, 25),
            Phase.VOTING_DAY: date(2024, 11, 27), Phase.AFTER: date(2024, 12, 1)}
    for phase, day in days.items():
        assert profile.phase_on(day) is phase
    assert set(days) == set(Phase)
