"""Run the sample network as a process: `python -m webui.demo --scenario FILE [--port N] [faults]`."""

from webui.demo.server import main

main()
