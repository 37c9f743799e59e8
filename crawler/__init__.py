"""Crawl stage: the Scrapy project that captures posts and who liked, replied, reposted and quoted them."""
