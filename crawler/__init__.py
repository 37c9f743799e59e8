"""Crawl stage: the Scrapy project that captures posts and who liked, replied, reposted and quoted them.

Spiders (one per platform), the JSON mappings, the downloader middlewares, the item pipelines (validate ->
normalize -> store), the importer of collected data and the `netral crawl` / `import` / `export interactions`
commands. It may import `models` only; the scheduler runs it as `netral crawl` in a child process.
"""
