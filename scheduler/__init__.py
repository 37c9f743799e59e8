"""The scheduling stage: periodic crawl jobs, each run as crawl, then classify, then flag.

`specs` reads and validates jobs (a jobs file or the jobs screen) and syncs them to the database, `runner`
leases due jobs so that no two schedulers run one job, `steps` holds the pipeline's steps. It may import
`models`, `crawler` and `nlp`, and calls the crawler and the NLP jobs through their public functions; only
the review UI (its jobs screen) and netral import it.
"""
