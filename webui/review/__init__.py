"""Review stage: the queue query, reviewers' claims and decisions, and text highlighting.

Like all of webui, it may import `models`, `crawler`, `nlp` and `scheduler` (it needs only `models`).
"""
