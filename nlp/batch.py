"""NLP stage: the stable JSON-lines batch contract of `netral classify FILE` and `netral detect-role FILE`.

classify:    in {"id": ..., "text": ...}           out {"id", "label", "score", "reasons"}
detect-role: in {"id": ..., "bio": ..., "name"?}   out {"id", "role", "score", "evidence"}
One output line per good input line, in input order. A malformed line is named on stderr and
skipped; the caller exits non-zero at the end if there was any. No database is touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

CHUNK = 1000  # lines per classifier batch: large enough to amortize, small enough to stream


def _parse(lines: Iterable[bytes], required: dict[str, bool], err: IO[str]) -> Iterator[tuple[int, dict | None]]:
    """Yield (line number, record or None when malformed); blank lines are ignored."""
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            err.write(f"line {number}: not valid UTF-8\n")
            yield number, None
            continue
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            err.write(f"line {number}: not valid JSON ({exc.msg})\n")
            yield number, None
            continue
        problem = _check(rec, required) or (_surrogates(rec) if "\\u" in line or not isinstance(raw, bytes) else None)
        if problem:
            err.write(f"line {number}: {problem}\n")
            yield number, None
            continue
        yield number, rec


def _surrogates(rec: Any) -> str | None:
    """A JSON escape such as "\\ud800" decodes to a lone surrogate, which is not text: name it."""
    try:
        json.dumps(rec, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (not valid Unicode text)"
    return None


def _check(rec: Any, required: dict[str, bool]) -> str | None:
    if not isinstance(rec, dict):
        return "expected a JSON object"
    if "id" not in rec:
        return 'missing "id"'
    for key, needed in required.items():
        if key not in rec or rec[key] is None:
            if needed:
                return f'missing "{key}"'
        elif not isinstance(rec[key], str):
            return f'"{key}" must be a string'
    return None


def _run(lines, out: IO[str], err: IO[str], required: dict[str, bool],
         answer: Callable[[list[dict]], list[dict]]) -> int:
    bad = 0
    chunk: list[dict] = []

    def flush() -> None:
        for result in answer(chunk):
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
        chunk.clear()

    for _number, rec in _parse(lines, required, err):
        if rec is None:
            bad += 1
            continue
        chunk.append(rec)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return bad


def classify_stream(lines, out: IO[str], err: IO[str], profile: Any = None) -> int:
    """Answer classify lines; return the number of malformed lines."""
    from nlp.classifier import load
    from nlp.gazetteer import build

    clf, gaz = load(), build(profile)

    def answer(records: list[dict]) -> list[dict]:
        preds = clf.predict([r["text"] for r in records], gaz, batch_size=CHUNK)
        return [{"id": r["id"], "label": p.label, "score": p.score, "reasons": p.reasons}
                for r, p in zip(records, preds, strict=False)]

    return _run(lines, out, err, {"text": True}, answer)


def detect_role_stream(lines, out: IO[str], err: IO[str]) -> int:
    """Answer detect-role lines; return the number of malformed lines."""
    from nlp.roles import detect

    def answer(records: list[dict]) -> list[dict]:
        results = []
        for r in records:
            res = detect(r["bio"], r.get("name"))
            results.append({"id": r["id"], "role": res.role, "score": res.score, "evidence": res.evidence})
        return results

    return _run(lines, out, err, {"bio": True, "name": False}, answer)
