"""Sample network: a built-in Bluesky + Mastodon network (their API formats on loopback) serving a scenario file.

Not a pipeline stage: it stands in for the platforms in the demo, the tests and the benchmarks, and the
crawler reaches it only over HTTP. It imports no stage; only netral (the demo) imports it.
"""

from samplenet.faults import Faults
from samplenet.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from samplenet.server import SampleNetwork

__all__ = ["Faults", "SampleNetwork", "Scenario", "ScenarioError", "load_scenario", "parse_scenario"]
