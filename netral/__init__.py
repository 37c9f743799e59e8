"""The composition root: the `netral` command line that gathers every stage's commands, and the demo.

It may import every stage (models, crawler, nlp, scheduler, samplenet, webui); nothing imports it.
"""
