"""Review UI: the queue (filters, keyset pages, counts), the case page, claims and decisions, XSS escaping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, Classification, Flag, FlagStatus, InteractionKind, Label, Review, verify_chain
from tests.factories import WHEN, make_account, make_flag, make_interaction, make_post
from tests.webui.conftest import XSS, fresh


@pytest.fixture
def flags(db_session, users):
    made = [make_flag(db_session, score=0.5 + i / 100, event_at=WHEN + timedelta(hours=i)) for i in range(7)]
    db_session.commit()
    return made


def test_queue_lists_flags_by_score_with_counts(as_role, flags):
    html = as_role("viewer").get("/queue/").get_data(as_text=True)
    assert html.index(f"/case/{flags[6].id}") < html.index(f"/case/{flags[0].id}")
    assert 'id="count-new">7<' in html


def test_keyset_pages_cover_every_flag_once(app, as_role, flags):
    app.config["NETRAL_QUEUE_PAGE_SIZE"] = 3
    browser = as_role("viewer")
    seen, url = [], "/queue/?sort=time"
    import re

    while url:
        html = browser.get(url).get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'/case/(\d+)" class="case-link"', html)]
        nxt = re.search(r'href="([^"]+)" id="next-page"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert seen == [f.id for f in reversed(flags)]


def test_queue_filters(as_role, flags, db_session):
    flags[0].platform = flags[0].platform.__class__("mastodon")
    flags[1].institution = "Dinas Kesehatan"
    db_session.commit()
    browser = as_role("viewer")
    html = browser.get("/queue/?platform=mastodon").get_data(as_text=True)
    assert html.count('class="case-link"') == 1 and f"/case/{flags[0].id}" in html
    html = browser.get("/queue/?institution=Dinas+Kesehatan").get_data(as_text=True)
    assert html.count('class="case-link"') == 1
    html = browser.get("/queue/?score_min=0.55").get_data(as_text=True)
    assert html.count('class="case-link"') == 2
    # WIB dates: WHEN is 10:00 WIB on 10 Nov; +14h would be the 11th in Jakarta.
    html = browser.get("/queue/?date_from=2024-11-10&date_to=2024-11-10").get_data(as_text=True)
    assert html.count('class="case-link"') == 7
    html = browser.get("/queue/?severity=bogus&date_from=notadate").get_data(as_text=True)
    assert "severity" in html and html.count('class="case-link"') == 7


def test_viewer_reads_but_cannot_decide(as_role, flags):
    viewer = as_role("viewer")
    assert viewer.get(f"/case/{flags[0].id}").status_code == 200
    assert viewer.post(f"/case/{flags[0].id}/claim").status_code == 403
    assert viewer.post(f"/queue/{flags[0].id}/claim").status_code == 403
    assert viewer.post(f"/case/{flags[0].id}/decide", {"decision": "confirm", "note": "x"}).status_code == 403


def test_claim_confirm_and_audit(as_role, flags, db_session):
    reviewer, other = as_role("reviewer"), as_role("reviewer2")
    fid = flags[0].id
    assert reviewer.post(f"/queue/{fid}/claim").status_code == 302
    # The other reviewer cannot claim or decide while the claim holds.
    other.post(f"/case/{fid}/claim")
    other.post(f"/case/{fid}/decide", {"decision": "dismiss", "note": "no"})
    fresh(db_session)
    flag = db_session.get(Flag, fid)
    assert flag.status is FlagStatus.IN_REVIEW and flag.assignee_id is not None
    # A confirmation needs a note.
    reviewer.post(f"/case/{fid}/decide", {"decision": "confirm", "note": ""})
    fresh(db_session)
    assert db_session.get(Flag, fid).status is FlagStatus.IN_REVIEW
    reviewer.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "Jelas mendukung paslon"})
    fresh(db_session)
    assert db_session.get(Flag, fid).status is FlagStatus.CONFIRMED
    decisions = db_session.scalars(select(Review.decision).where(Review.flag_id == fid)).all()
    assert [d.value for d in decisions] == ["claim", "confirm"]
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "flag")).all()
    assert actions == ["review.claim", "review.confirm"]
    assert verify_chain(db_session).ok
    html = reviewer.get(f"/case/{fid}").get_data(as_text=True)
    assert "Jelas mendukung paslon" in html


def test_stale_form_is_refused(as_role, flags, db_session):
    fid = flags[0].id
    reviewer, other = as_role("reviewer"), as_role("reviewer2")
    reviewer.post(f"/case/{fid}/claim", {"seen": "0"})
    reviewer.post(f"/case/{fid}/release")
    # reviewer2 rendered the page before the claim and release (seen=0): the decision is refused.
    other.post(f"/case/{fid}/decide", {"decision": "dismiss", "note": "bukan pelanggaran", "seen": "0"})
    fresh(db_session)
    assert db_session.get(Flag, fid).status is FlagStatus.NEW


def test_two_person_rule_and_disagreement_go_to_admin(app, as_role, flags, db_session):
    app.config["NETRAL_TWO_PERSON_RULE"] = True
    a, b, admin = as_role("reviewer"), as_role("reviewer2"), as_role("admin")
    first, second = flags[0].id, flags[1].id
    a.post(f"/case/{first}/decide", {"decision": "confirm", "note": "ya"})
    fresh(db_session)
    assert db_session.get(Flag, first).status is FlagStatus.IN_REVIEW  # one confirmation is not enough
    assert "Konfirmasi sejauh ini: 1 dari 2." in a.get(f"/case/{first}").get_data(as_text=True)
    a.post(f"/case/{first}/decide", {"decision": "confirm", "note": "ya lagi"})  # same reviewer: refused
    fresh(db_session)
    assert db_session.get(Flag, first).status is FlagStatus.IN_REVIEW
    b.post(f"/case/{first}/decide", {"decision": "confirm", "note": "setuju"})
    fresh(db_session)
    assert db_session.get(Flag, first).status is FlagStatus.CONFIRMED

    a.post(f"/case/{second}/decide", {"decision": "confirm", "note": "ya"})
    b.post(f"/case/{second}/decide", {"decision": "dismiss", "note": "tidak"})
    fresh(db_session)
    assert db_session.get(Flag, second).status is FlagStatus.ESCALATED
    a.post(f"/case/{second}/decide", {"decision": "confirm", "note": "tetap"})  # reviewers cannot settle it
    fresh(db_session)
    assert db_session.get(Flag, second).status is FlagStatus.ESCALATED
    admin.post(f"/case/{second}/decide", {"decision": "dismiss", "note": "informasi netral"})
    fresh(db_session)
    assert db_session.get(Flag, second).status is FlagStatus.DISMISSED


def test_case_page_shows_the_evidence(as_role, flags, db_session):
    flag = flags[0]
    html = as_role("viewer").get(f"/case/{flag.id}").get_data(as_text=True)
    from models import Interaction

    interaction = db_session.get(Interaction, flag.interaction_id)
    assert interaction.raw_sha256 in html and interaction.target_post.raw_sha256 in html
    assert "Ayo coblos nomor 1!" in html and "WIB" in html
    assert "registry" in html  # how the account was attributed
    assert "memberikan tanda suka" in html  # the act the rule names, from nlp.rules


def test_reasons_are_highlighted_without_trusting_the_text(as_role, db_session, users):
    actor = make_account(db_session)
    post = make_post(db_session, text=f"Pilih <b>Hendra</b> {XSS} nomor 2")
    db_session.add(Classification(post_id=post.id, label=Label.PARTISAN, score=0.97, model_version="t1",
                                  reasons=[{"category": "kandidat", "text": "Hendra", "start": 9, "end": 15}]))
    flag = make_flag(db_session, make_interaction(db_session, actor, post), reasons=[{"text": "nomor 2"}])
    db_session.commit()
    html = as_role("viewer").get(f"/case/{flag.id}").get_data(as_text=True)
    assert '&lt;b&gt;<mark title="kandidat">Hendra</mark>&lt;/b&gt;' in html
    assert '<mark title="term">nomor 2</mark>' in html


def _xss_everywhere(db_session):
    """A flag whose every crawled or registry field carries a script payload."""
    actor = make_account(db_session, handle=XSS, display_name=XSS, profile_url="javascript:alert(1)")
    post = make_post(db_session, text=XSS, url="javascript:alert(1)")
    reply = make_post(db_session, author=actor, text=XSS)
    interaction = make_interaction(db_session, actor, post, kind=InteractionKind.REPLY, own_post_id=reply.id,
                                   instance_key="r1")
    from tests.factories import make_person

    person = make_person(db_session, actor, name=XSS, institution=XSS, unit=XSS, position=XSS,
                         region_province=XSS, region_regency=XSS)
    flag = make_flag(db_session, interaction, person, explanation=XSS, rule_code="LIKE_PARTISAN",
                     reasons=[{"text": "<script>"}])
    db_session.commit()
    return flag, person


def test_xss_payloads_are_escaped_on_every_page(as_role, db_session, users):
    flag, person = _xss_everywhere(db_session)
    browser = as_role("admin")
    pages = ["/queue/", f"/case/{flag.id}", "/registry/", f"/registry/person/{person.id}", "/dashboard/"]
    for path in pages:
        response = browser.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert 'href="javascript:' not in html, path
    assert "&lt;script&gt;" in browser.get(f"/case/{flag.id}").get_data(as_text=True)


def test_highlight_shapes_from_the_classifier():
    from webui.review.highlight import segments

    text = "Dinas di kota: ayo coblos Hendra!"
    reasons = [{"kind": "term", "term": "di", "weight": 0.2}, {"kind": "term", "term": "ayo coblos"},
               {"kind": "term", "term": "__kandidat__"}, {"category": "kandidat", "text": "Hendra", "start": 26,
                                                          "end": 32}, {"text": "x", "start": 99, "end": 120}]
    marked = [(s.text, s.label) for s in segments(text, reasons) if s.label]
    assert marked == [("di", "term"), ("ayo coblos", "term"), ("Hendra", "kandidat")]
    assert "".join(s.text for s in segments(text, reasons)) == text


def test_case_for_an_authored_post_and_earlier_flags(as_role, db_session, users):
    from tests.factories import make_person

    author = make_account(db_session)
    person = make_person(db_session, author)
    post = make_post(db_session, author=author, text="Saya dukung paslon 2")
    from models import Severity

    authored = Flag(rule_code="POST_PARTISAN", subject_key=f"post:{post.id}", post_id=post.id,
                         person_id=person.id, account_id=author.id, severity=Severity.HIGH, score=0.95,
                         explanation="Menulis unggahan partisan", event_at=WHEN, platform=post.platform,
                         institution=person.institution)
    db_session.add(authored)
    liked = make_flag(db_session, make_interaction(db_session, author, make_post(db_session)), person)
    db_session.commit()
    html = as_role("viewer").get(f"/case/{authored.id}").get_data(as_text=True)
    assert "Saya dukung paslon 2" in html and f"/case/{liked.id}" in html  # the person's other flag


def test_unreadable_filter_values_fall_back_and_are_named(as_role):
    from webui.review.queue import QueueFilter

    f = QueueFilter.from_args({"status": "bogus", "sort": "x", "severity": "high", "platform": "myspace",
                               "date_from": "2024-13-01", "score_min": "abc", "score_max": "0.5"})
    assert (f.status, f.sort, f.severity, f.platform, f.date_from, f.score_min, f.score_max) == (
        "new", "score", "high", "", "", "", "0.5")
    assert f.errors == ["status", "platform", "sort", "date_from", "score_min"]
    page = as_role("viewer").get("/queue/?platform=%3Cscript%3E&score_max=nope").get_data(as_text=True)
    assert "platform, score_max" in page and "<script>" not in page


# --- Issue 12: the two-person rule cannot be bypassed; decisions are corrected, never erased; a rejected
# link withdraws the flags that rested on it. ---

def _status(db_session, fid):
    fresh(db_session)
    return db_session.get(Flag, fid).status


def _decisions(db_session, fid):
    fresh(db_session)
    return [r.decision.value for r in db_session.scalars(select(Review).where(Review.flag_id == fid)
                                                          .order_by(Review.id))]


@pytest.fixture
def admin2(db_session, users):
    from models import UserRole
    from tests.factories import make_user
    from tests.webui.conftest import _HASH

    make_user(db_session, "admin2", UserRole.ADMIN, password_hash=_HASH)
    db_session.commit()


def test_escalation_needs_a_note(as_role, flags, db_session):
    reviewer = as_role("reviewer")
    reviewer.post(f"/case/{flags[0].id}/decide", {"decision": "escalate", "note": "  "})
    assert _status(db_session, flags[0].id) is FlagStatus.NEW and _decisions(db_session, flags[0].id) == []
    reviewer.post(f"/case/{flags[0].id}/decide", {"decision": "escalate", "note": "ragu: akun kampanye?"})
    assert _status(db_session, flags[0].id) is FlagStatus.ESCALATED


def test_admin_cannot_escalate_then_confirm_alone(app, as_role, flags, db_session, admin2):
    app.config["NETRAL_TWO_PERSON_RULE"] = True
    admin, other_admin, reviewer = as_role("admin"), as_role("admin2"), as_role("reviewer")
    fid = flags[0].id
    admin.post(f"/case/{fid}/decide", {"decision": "escalate", "note": "saya ragu"})
    html = admin.get(f"/case/{fid}").get_data(as_text=True)
    assert 'id="decide-form"' not in html and 'id="took-part"' in html  # the state, not refused buttons
    admin.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "melanggar"})
    assert _status(db_session, fid) is FlagStatus.ESCALATED  # the escalator cannot settle it
    # Another admin's confirmation is one confirmation: the case waits for a second, different confirmer.
    other_admin.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "melanggar"})
    assert _status(db_session, fid) is FlagStatus.IN_REVIEW
    reviewer.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "setuju"})
    assert _status(db_session, fid) is FlagStatus.CONFIRMED


def test_a_voter_cannot_settle_the_disagreement(app, as_role, flags, db_session, admin2):
    app.config["NETRAL_TWO_PERSON_RULE"] = True
    admin, other_admin, reviewer = as_role("admin"), as_role("admin2"), as_role("reviewer")
    fid = flags[0].id
    admin.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "melanggar"})
    reviewer.post(f"/case/{fid}/decide", {"decision": "dismiss", "note": "netral"})
    assert _status(db_session, fid) is FlagStatus.ESCALATED
    admin.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "tetap melanggar"})
    assert _status(db_session, fid) is FlagStatus.ESCALATED
    html = admin.get(f"/case/{fid}").get_data(as_text=True)
    assert 'id="decide-form"' not in html and "Administrator lain yang memutuskannya." in html
    other_admin.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "melanggar"})
    assert _status(db_session, fid) is FlagStatus.CONFIRMED  # the admin and the first confirmer: two people


def test_one_dismissal_of_a_grave_case_asks_for_a_second_opinion(app, as_role, flags, db_session):
    from models import Severity

    app.config["NETRAL_TWO_PERSON_RULE"] = True
    grave, light = flags[0], flags[1]
    grave.severity = Severity.HIGH
    db_session.commit()
    a, b = as_role("reviewer"), as_role("reviewer2")
    a.post(f"/case/{grave.id}/decide", {"decision": "dismiss", "note": "netral"})
    assert _status(db_session, grave.id) is FlagStatus.IN_REVIEW
    assert "memerlukan pendapat kedua" in b.get(f"/case/{grave.id}").get_data(as_text=True)
    b.post(f"/case/{grave.id}/decide", {"decision": "dismiss", "note": "setuju netral"})
    assert _status(db_session, grave.id) is FlagStatus.DISMISSED
    a.post(f"/case/{light.id}/decide", {"decision": "dismiss", "note": "netral"})
    assert _status(db_session, light.id) is FlagStatus.DISMISSED  # medium: one dismissal closes it


def test_a_reviewer_who_voted_sees_the_state_not_buttons(app, as_role, flags, db_session):
    app.config["NETRAL_TWO_PERSON_RULE"] = True
    a, b = as_role("reviewer"), as_role("reviewer2")
    fid = flags[0].id
    a.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "ya"})
    html = a.get(f"/case/{fid}").get_data(as_text=True)
    assert 'id="took-part"' in html and "Anda sudah memberi suara pada kasus ini (dikonfirmasi)." in html
    assert 'id="claim"' not in html and 'id="decide-form"' not in html
    queue = a.get("/queue/?status=in_review").get_data(as_text=True)
    assert f"/case/{fid}" in queue and f'{fid}/claim"' not in queue and "Anda sudah memberi suara" in queue
    other = b.get(f"/case/{fid}").get_data(as_text=True)
    assert 'id="decide-form"' in other and 'id="took-part"' not in other
    assert f'{fid}/claim"' in b.get("/queue/?status=in_review").get_data(as_text=True)


def test_admin_retracts_and_reopens_with_a_note_and_the_history_keeps_all(app, as_role, flags, db_session):
    admin, reviewer = as_role("admin"), as_role("reviewer")
    fid = flags[0].id
    reviewer.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "melanggar"})
    assert reviewer.post(f"/case/{fid}/correct", {"decision": "retract", "note": "x"}).status_code == 403
    admin.post(f"/case/{fid}/correct", {"decision": "retract", "note": ""})  # a note is required
    assert _status(db_session, fid) is FlagStatus.CONFIRMED
    admin.post(f"/case/{fid}/correct", {"decision": "retract", "note": "akun salah diatribusikan"})
    assert _status(db_session, fid) is FlagStatus.WITHDRAWN
    admin.post(f"/case/{fid}/correct", {"decision": "reopen", "note": "atribusi sudah diperiksa ulang"})
    assert _status(db_session, fid) is FlagStatus.NEW
    assert _decisions(db_session, fid) == ["confirm", "retract", "reopen"]
    html = admin.get(f"/case/{fid}").get_data(as_text=True)
    assert "melanggar" in html and "akun salah diatribusikan" in html and "atribusi sudah diperiksa ulang" in html
    assert "ditarik kembali" in html and "dibuka kembali" in html
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "flag")).all()
    assert actions == ["review.confirm", "review.retract", "review.reopen"] and verify_chain(db_session).ok
    admin.post(f"/case/{fid}/correct", {"decision": "retract", "note": "lagi"})  # an open case: nothing to retract
    assert _status(db_session, fid) is FlagStatus.NEW


def test_a_reopened_case_counts_only_new_votes(app, as_role, flags, db_session):
    app.config["NETRAL_TWO_PERSON_RULE"] = True
    a, b, admin = as_role("reviewer"), as_role("reviewer2"), as_role("admin")
    fid = flags[0].id
    a.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "ya"})
    b.post(f"/case/{fid}/decide", {"decision": "confirm", "note": "ya"})
    assert _status(db_session, fid) is FlagStatus.CONFIRMED
    admin.post(f"/case/{fid}/correct", {"decision": "reopen", "note": "bukti baru"})
    assert "Konfirmasi sejauh ini: 0 dari 2." in a.get(f"/case/{fid}").get_data(as_text=True)
    a.post(f"/case/{fid}/decide", {"decision": "dismiss", "note": "ternyata netral"})  # a may vote again
    assert _status(db_session, fid) is FlagStatus.DISMISSED  # medium severity: one dismissal closes it


def _rejectable(db_session):
    """A person flagged twice on a detected, confirmed link, and an unrelated flag."""
    from models import AccountLink, AttributionMethod, LinkStatus
    from tests.factories import make_person

    actor = make_account(db_session)
    person = make_person(db_session, None, name="Salah Orang")
    link = AccountLink(person_id=person.id, account_id=actor.id, method=AttributionMethod.DETECTION,
                       status=LinkStatus.CONFIRMED, confidence=0.8, evidence={})
    db_session.add(link)
    db_session.flush()
    confirmed = make_flag(db_session, make_interaction(db_session, actor, make_post(db_session)), person,
                          status=FlagStatus.CONFIRMED)
    pending = make_flag(db_session, make_interaction(db_session, actor, make_post(db_session)), person)
    unrelated = make_flag(db_session, status=FlagStatus.CONFIRMED)
    db_session.commit()
    return link, confirmed, pending, unrelated


def test_rejecting_a_link_withdraws_the_flags_that_rested_on_it(as_role, db_session, users):
    from models import AccountLink

    link, confirmed, pending, unrelated = _rejectable(db_session)
    confirmed_id, unrelated_id = confirmed.id, unrelated.id
    admin = as_role("admin")
    assert admin.post(f"/registry/link/{link.id}", {"status": "rejected", "note": "bukan akunnya"}).status_code == 302
    fresh(db_session)
    assert db_session.get(AccountLink, link.id).status.value == "rejected"
    for flag in (confirmed, pending):
        assert _status(db_session, flag.id) is FlagStatus.WITHDRAWN
        reviews = db_session.scalars(select(Review).where(Review.flag_id == flag.id)).all()
        assert [r.decision.value for r in reviews] == ["retract"] and "bukan akunnya" in reviews[0].note
    assert _status(db_session, unrelated.id) is FlagStatus.CONFIRMED
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert actions.count("review.retract") == 2 and "registry.link.rejected" in actions
    assert verify_chain(db_session).ok
    # The person is gone from the summaries for those cases.
    from webui.exports.query import SummaryFilter, confirmed_cases, summary_rows

    rows = list(summary_rows(db_session, SummaryFilter()))
    assert sum(r[5] for r in rows) == 1 and sum(r[6] for r in rows) == 1
    assert [c[0] for c in confirmed_cases(db_session, SummaryFilter())] == [unrelated_id]
    assert "Salah Orang" not in str(list(confirmed_cases(db_session, SummaryFilter())))
    # Withdrawn is a state of its own in the queue, and the case cannot be reopened while the link is rejected.
    assert f"/case/{confirmed_id}" in admin.get("/queue/?status=withdrawn").get_data(as_text=True)
    admin.post(f"/case/{confirmed_id}/correct", {"decision": "reopen", "note": "coba lagi"})
    assert _status(db_session, confirmed_id) is FlagStatus.WITHDRAWN


def test_case_page_shows_the_legal_basis_and_other_rules(as_role, db_session, users):
    from models import PersonRole
    from tests.factories import make_person

    actor = make_account(db_session)
    organizer = make_person(db_session, actor, role=PersonRole.KPPS, name="Ketua KPPS")
    flag = make_flag(db_session, make_interaction(db_session, actor, make_post(db_session)), organizer,
                     rule_code="QUOTE_PARTISAN",
                     reasons=[{"rule": "POST_PARTISAN", "subject": "post:1", "explanation": "juga"}])
    db_session.commit()
    html = as_role("viewer").get(f"/case/{flag.id}").get_data(as_text=True)
    basis = html[html.index('id="legal-basis"'):html.index('id="legal-basis"') + 400]
    assert "Peraturan DKPP Nomor 2 Tahun 2017" in basis and "SKB" not in basis
    assert "Dasar hukum" in html and 'id="other-rules"' in html and "membuat unggahan yang mendukung" in html
    pdf = as_role("viewer").get(f"/export/case/{flag.id}.pdf")
    assert pdf.status_code == 200
