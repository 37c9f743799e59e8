"""NLP stage, training: build the corpus, train the classifier, evaluate it and write its model card.

Run by `netral nlp train` / `netral nlp evaluate` and by hand (`python -m nlp.training.generate`). Like
nlp/jobs and nlp/cli.py it may import `models` and nlp (today it needs only nlp's pure modules: reviewers'
decisions reach it through nlp.jobs.feedback); the review stage never imports it.
"""
