"""The case page warns when a stored evidence hash does not match its raw payload; the PDF prints the chain head."""

from __future__ import annotations

from sqlalchemy import text

from models import AuditEvent, session_scope
from models.audit import chain_head
from tests.factories import make_flag
from webui.review.case_data import load_case


def test_untouched_evidence_shows_no_warning(as_role, db_session, users):
    flag = make_flag(db_session)
    db_session.commit()
    html = as_role("viewer").get(f"/case/{flag.id}").get_data(as_text=True)
    assert 'id="integrity-warning"' not in html and "tidak cocok dengan data mentah" not in html


def test_edited_payload_is_flagged_on_the_case_page(as_role, db_session, users, engine):
    flag = make_flag(db_session)
    db_session.commit()
    with engine.begin() as conn:  # someone with database access edits the captured post
        conn.execute(text("UPDATE post SET raw_json = replace(raw_json, 'nomor 1', 'nomor 2') WHERE id = :i"),
                     {"i": flag.post_id})
    html = as_role("viewer").get(f"/case/{flag.id}").get_data(as_text=True)
    assert 'id="integrity-warning"' in html and 'role="alert"' in html
    assert "Peringatan integritas:" in html and "SHA-256 yang tersimpan untuk bukti ini tidak cocok" in html
    assert html.count('class="tampered"') == 1  # only the post's payload, not the interaction's
    with engine.begin() as conn:  # a user who chose English
        conn.execute(text("UPDATE app_user SET locale = 'en' WHERE username = 'viewer'"))
    english = as_role("viewer").get(f"/case/{flag.id}").get_data(as_text=True)
    assert "Integrity warning:" in english and "does not match its raw payload" in english
    with session_scope(engine) as s:
        assert load_case(s, flag.id).tampered == ["post"]


def test_edited_interaction_hash_is_flagged(db_session, engine):
    flag = make_flag(db_session)
    db_session.commit()
    with engine.begin() as conn:
        conn.execute(text("UPDATE interaction SET raw_sha256 = :h WHERE id = :i"),
                     {"h": "0" * 64, "i": flag.interaction_id})
    with session_scope(engine) as s:
        assert load_case(s, flag.id).tampered == ["interaction"]


def test_case_pdf_prints_the_chain_head(as_role, db_session, users, engine):
    flag = make_flag(db_session)
    db_session.commit()
    browser = as_role("viewer")  # the login is an audit event: the chain has a head
    with session_scope(engine) as s:
        head = chain_head(s)
        case = load_case(s, flag.id)
    assert case.chain_head == head
    from io import BytesIO

    from webui.exports.evidence import write_case_pdf

    out = BytesIO()
    write_case_pdf(case, out)
    assert out.getvalue().startswith(b"%PDF")
    response = browser.get(f"/export/case/{flag.id}.pdf")
    assert response.status_code == 200
    with session_scope(engine) as s:
        assert s.query(AuditEvent).count() >= 2


def test_a_browser_capture_says_what_it_is_evidence_of(as_role, db_session, users):
    """A capture is evidence of what a supervisor's browser received, not of a read from the platform."""
    import json

    from models import Post
    from models.evidence import sha256_text

    flag = make_flag(db_session)
    line = json.dumps({"nav_index": "1:1:0", "item_id": "7", "timestamp_collected": 1732000000000,
                       "source_platform": "tiktok.com", "source_platform_url": "https://www.tiktok.com/@cand01",
                       "source_url": "https://www.tiktok.com/api/post/item_list/", "user_agent": "Mozilla/5.0",
                       "data": {"id": "7", "desc": "Ayo coblos nomor 1!"}})
    post = db_session.get(Post, flag.post_id)
    post.raw_json, post.raw_sha256 = line, sha256_text(line)
    db_session.commit()
    html = as_role("viewer").get(f"/case/{flag.id}").get_data(as_text=True)
    assert 'class="capture"' in html and "https://www.tiktok.com/@cand01" in html
    assert "2024-11-19 14:06" in html  # timestamp_collected, shown in WIB
    plain = make_flag(db_session)
    db_session.commit()
    assert 'class="capture"' not in as_role("viewer").get(f"/case/{plain.id}").get_data(as_text=True)
