"""NLP stage, training: build the corpus, train the classifier, evaluate it and write its model card.

Run by `netral nlp train` / `netral nlp evaluate` and by hand (`python -m nlp.training.generate`); the
review stage never imports it.
"""
