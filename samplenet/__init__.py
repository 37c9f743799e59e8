"""Demo stage: a built-in sample network (Bluesky + Mastodon formats on loopback) serving a scenario file."""

from webui.demo.faults import Faults
from webui.demo.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from webui.demo.server import SampleNetwork

__all__ = ["Faults", "SampleNetwork", "Scenario", "ScenarioError", "load_scenario", "parse_scenario"]
