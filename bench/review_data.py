"""Benchmark fixture for the review stage: a fresh PostgreSQL database with N interactions, each flagged.

Generated inside PostgreSQL with generate_series (seconds, not minutes, for a million rows). Shapes
follow a regency-wide election: 20,000 monitored civil servants in 300 institutions, 60 regencies,
candidate accounts with 50,000 posts, and flags spread over the campaign period with the status mix
of a queue half worked through (60% new, 10% in review, 15% confirmed, 12% dismissed, 3% escalated);
the flags in review are claimed by the ten bench reviewers.
"""

from __future__ import annotations

import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.migrate import upgrade

PEOPLE, CANDIDATE_ACCOUNTS, POSTS, INSTITUTIONS, REGENCIES = 20_000, 2_000, 50_000, 300, 60
# nlp.rules.RULES keys
RULES = ["LIKE_PARTISAN", "REPOST_PARTISAN", "REPLY_PARTISAN", "QUOTE_PARTISAN", "POST_PARTISAN",
         "INTERACT_CAMPAIGN_ACCOUNT"]

STEPS = [
    ("users", """INSERT INTO app_user (username, password_hash, role, locale, is_active, created_at)
        SELECT 'bench' || g, 'x', 'reviewer', 'id', true, now() FROM generate_series(1, 10) g"""),
    ("accounts", f"""INSERT INTO account (platform, platform_id, handle, display_name, bio, profile_url, first_seen_at,
            updated_at)
        SELECT CASE WHEN g % 10 = 0 THEN 'mastodon' ELSE 'bluesky' END, 'did:plc:bench' || g, 'user' || g || '.test',
               'User ' || g, '', 'https://bsky.app/profile/user' || g || '.test', now(), now()
        FROM generate_series(1, {PEOPLE + CANDIDATE_ACCOUNTS}) g"""),
    ("people", f"""INSERT INTO person (person_key, name, role, institution, region_province, region_regency,
            created_at, updated_at)
        SELECT 'bench:' || g, 'Pegawai ' || g, 'pns', 'Instansi ' || (g % {INSTITUTIONS}),
               'Provinsi ' || (g % 10), 'Kabupaten ' || (g % {REGENCIES}), now(), now()
        FROM generate_series(1, {PEOPLE}) g"""),
    ("links", """INSERT INTO account_link (person_id, account_id, method, status, confidence, evidence, created_at,
            updated_at)
        SELECT id, id, 'registry', 'confirmed', 1.0, '{"source": "bench"}', now(), now() FROM person"""),
    ("posts", f"""INSERT INTO post (platform, platform_id, author_account_id, text, url, created_at, raw_json,
            raw_sha256, fetched_at, last_seen_at)
        SELECT a.platform, 'at://bench/post/' || g, a.id,
               'Ayo dukung Hendra nomor ' || (g % 3 + 1) || ' untuk Sawahlunto lebih maju #coblos0' || (g % 3 + 1),
               'https://bsky.app/profile/c/post/' || g,
               timestamptz '2024-09-25 00:00+00' + (g % 5000) * interval '20 min',
               r.raw, encode(sha256(convert_to(r.raw, 'UTF8')), 'hex'), now(), now()
        FROM generate_series(1, {POSTS}) g
        JOIN account a ON a.id = {PEOPLE} + 1 + g % {CANDIDATE_ACCOUNTS}
        CROSS JOIN LATERAL (SELECT '{{"uri":"at://bench/post/' || g || '","text":"Ayo dukung Hendra"}}' AS raw) r"""),
    ("classifications", """INSERT INTO classification (post_id, label, score, model_version, reasons, created_at)
        SELECT id, 'partisan', 0.93, 'bench',
               '[{"category": "kandidat", "text": "Hendra", "start": 11, "end": 17}]', now() FROM post"""),
    ("interactions", """INSERT INTO interaction (platform, kind, actor_account_id, target_post_id, instance_key,
            occurred_at, first_seen_at, last_seen_at, raw_json, raw_sha256, fetched_at)
        SELECT a.platform, (ARRAY['like','repost','reply','quote'])[1 + g % 4], a.id,
               1 + (g::bigint * 7919) % {posts}, g::text,
               timestamptz '2024-09-25 00:00+00' + (g % 90000) * interval '1 min', now(), now(), r.raw,
               encode(sha256(convert_to(r.raw, 'UTF8')), 'hex'), now()
        FROM generate_series(1, {n}) g
        JOIN account a ON a.id = 1 + g % {people}
        CROSS JOIN LATERAL (SELECT '{"actor":"did:plc:bench' || a.id || '","n":' || g || '}' AS raw) r"""),
    ("flags", """INSERT INTO flag (rule_code, subject_key, interaction_id, post_id, person_id, account_id, severity,
            score, explanation, reasons, status, event_at, platform, institution, region_province, region_regency,
            created_at, updated_at, assignee_id, claimed_at)
        SELECT (ARRAY{rules})[1 + i.id % 6], 'interaction:' || i.id, i.id, i.target_post_id, p.id, i.actor_account_id,
               (ARRAY['low','medium','high','critical'])[1 + (i.id / 7) % 4], round(random()::numeric, 4),
               'Menyukai unggahan partisan', '[]',
               CASE WHEN i.id % 100 < 60 THEN 'new' WHEN i.id % 100 < 70 THEN 'in_review'
                    WHEN i.id % 100 < 85 THEN 'confirmed' WHEN i.id % 100 < 97 THEN 'dismissed' ELSE 'escalated' END,
               i.occurred_at, i.platform, p.institution, p.region_province, p.region_regency, now(), now(),
               CASE WHEN i.id % 100 BETWEEN 60 AND 69 THEN 1 + i.id % 10 END,
               CASE WHEN i.id % 100 BETWEEN 60 AND 69 THEN now() END
        FROM interaction i JOIN person p ON p.id = i.actor_account_id"""),
    ("reviews", """INSERT INTO review (flag_id, reviewer_id, decision, note, created_at)
        SELECT f.id, 1 + f.id % 10, CASE f.status WHEN 'confirmed' THEN 'confirm' ELSE 'dismiss' END, 'bench', now()
        FROM flag f WHERE f.status IN ('confirmed', 'dismissed')"""),
]


def build(admin_url: str, name: str, interactions: int, log=print) -> str:
    """(Re)create database `name` on the server of admin_url, migrate it and fill it; return its URL."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    engine = create_engine(url)
    for label, sql in STEPS:
        sql = (sql.replace("{n}", str(interactions)).replace("{people}", str(PEOPLE))
               .replace("{posts}", str(POSTS)).replace("{rules}", repr(RULES)))
        started = time.perf_counter()
        # The driver's own cursor: no bind-parameter parsing of the colons inside the JSON and DIDs.
        raw = engine.raw_connection()
        try:
            raw.cursor().execute(sql)
            raw.commit()
        finally:
            raw.close()
        log(f"  {label}: {time.perf_counter() - started:.1f} s")
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return url


def existing(admin_url: str, name: str, interactions: int) -> str | None:
    """The URL of an already-filled benchmark database of the right size, to skip a rebuild."""
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        with create_engine(url).connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM flag")).scalar()
    except Exception:
        return None
    if count != interactions:
        return None
    upgrade(url)  # a database filled by older code gets the newer indexes
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("ANALYZE flag"))
    return url
