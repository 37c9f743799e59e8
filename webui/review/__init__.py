"""Review stage: the queue query, reviewers' claims and decisions, and text highlighting."""
