"""Scale-out test fixtures: `redis_url` (a Redis database of the test's own) lives in tests/conftest.py."""
