"""Review stage, exports: the evidence report for one case, with what a Bawaslu finding needs.

Time, place (platform, URL), the reported person and institution, a description of the act, the
evidence (capture time, SHA-256 of the verbatim payload) and the reviewers. NIP only when asked.
"""

from __future__ import annotations

from typing import BinaryIO

from models import utcnow
from webui.exports.pdfbase import NetralPDF
from webui.formatting import local_time
from webui.review.case_data import Case
from webui.rules_info import legal_basis, other_rules, rule_act

KIND_ID = {"like": "menyukai", "reply": "membalas", "repost": "membagikan ulang", "quote": "mengutip"}
DECISION_ID = {"claim": "mengambil", "release": "melepas", "confirm": "mengonfirmasi", "dismiss": "menolak",
               "escalate": "mengeskalasi", "reopen": "membuka kembali", "retract": "menarik kembali"}
RAW_EXCERPT = 3000


def describe_act(case: Case) -> str:
    account = f"{case.account.platform.value}:{case.account.handle or case.account.platform_id}"
    if case.interaction is not None:
        verb = KIND_ID.get(case.interaction.kind.value, case.interaction.kind.value)
        author = case.post.author.handle if case.post else "?"
        return f"Akun {account} {verb} unggahan milik {author}."
    return f"Akun {account} mengunggah konten."


def write_case_pdf(case: Case, fh: BinaryIO, include_nip: bool = False, generated_by: str = "") -> None:
    flag, person = case.flag, case.person
    pdf = NetralPDF(f"Laporan bukti kasus #{flag.id}")
    pdf.add_page()
    pdf.heading(f"Laporan bukti dugaan pelanggaran netralitas — kasus #{flag.id}")
    pdf.field("Dibuat", f"{local_time(utcnow())} oleh {generated_by or '-'}")
    pdf.field("Status", flag.status.value)
    pdf.ln(2)
    pdf.heading("Waktu dan tempat", 11)
    pdf.field("Waktu kejadian", local_time(flag.event_at))
    pdf.field("Platform", flag.platform.value)
    pdf.field("URL unggahan", case.post.url if case.post else None)
    if case.own_post is not None:
        pdf.field("URL balasan/kutipan", case.own_post.url)
    pdf.heading("Terlapor", 11)
    if person is not None:
        pdf.field("Nama", person.name)
        pdf.field("Peran", person.role.value)
        pdf.field("Instansi", person.institution + (f" — {person.unit}" if person.unit else ""))
        pdf.field("Jabatan", person.position)
        pdf.field("Wilayah", person.region)
        if include_nip:
            pdf.field("NIP", person.nip)
    pdf.field("Akun", f"{case.account.platform.value}:{case.account.handle or case.account.platform_id}")
    for link in case.links:
        pdf.field("Atribusi akun", f"{link.person.name}: {link.method.value}, {link.status.value}, "
                                   f"keyakinan {link.confidence:.2f}")
    pdf.heading("Uraian perbuatan", 11)
    pdf.field("Aturan", flag.rule_code)
    act = rule_act(flag.rule_code)
    if act:
        pdf.field("Perbuatan yang dinilai", act)
    for code, other in other_rules(flag.reasons):
        pdf.field("Aturan lain (perbuatan yang sama)", f"{code} — {other}" if other else code)
    if person is not None:
        # The law that binds this person's role: the ASN decree binds civil servants only.
        pdf.field("Dasar hukum", "; ".join(legal_basis(person.role.value)) or "-")
    pdf.field("Tingkat", flag.severity.value)
    pdf.field("Uraian", describe_act(case))
    pdf.field("Alasan sistem", flag.explanation)
    if case.own_post is not None:
        pdf.field("Teks akun", case.own_post.text)
    if case.post is not None:
        pdf.field("Teks unggahan", case.post.text)
    pdf.heading("Bukti elektronik", 11)
    for label, row in (("Interaksi", case.interaction), ("Unggahan", case.post), ("Balasan", case.own_post)):
        if row is None:
            continue
        pdf.field(f"{label}: waktu tangkap", local_time(row.fetched_at))
        pdf.field(f"{label}: SHA-256", row.raw_sha256)
        excerpt = row.raw_json if len(row.raw_json) <= RAW_EXCERPT else row.raw_json[:RAW_EXCERPT] + " …"
        pdf.field(f"{label}: data mentah", excerpt)
    pdf.heading("Peninjauan", 11)
    for review in case.reviews:
        verb = DECISION_ID.get(review.decision.value, review.decision.value)
        note = f": {review.note}" if review.note else ""
        pdf.field(local_time(review.created_at), f"{review.reviewer.username} {verb}{note}")
    if not case.reviews:
        pdf.field("-", "Belum ada keputusan")
    fh.write(bytes(pdf.output()))
