"""Demo stage: a built-in sample network (Bluesky + Mastodon formats on loopback) serving a scenario file."""

from samplenet.faults import Faults
from samplenet.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from samplenet.server import SampleNetwork

__all__ = ["Faults", "SampleNetwork", "Scenario", "ScenarioError", "load_scenario", "parse_scenario"]
