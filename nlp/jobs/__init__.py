"""NLP stage, database jobs: the only nlp modules that read or write the database.

`classify` labels pending posts, `flag` runs the neutrality rules, `suggest` proposes roles from bios,
`feedback` turns reviewers' decisions into training examples. They import `models` and nlp's pure modules.
"""
