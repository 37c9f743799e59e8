"""NLP stage: text normalization, gazetteers, the classifier, role detection and the neutrality flag rules.

The pure modules (everything here but `jobs/`, `training/` and `cli.py`) import only each other, never
`models`, so they run without a database (`netral classify FILE`); `jobs/` (the database jobs), `training/`
(corpus, training, evaluation, model card) and `cli.py` may import `models` and nlp.
"""
