"""Run the sample network as a process: `python -m samplenet --scenario FILE [--port N] [faults]`."""

from samplenet.server import main

main()
