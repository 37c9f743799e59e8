"""Review stage: size limits on what the review UI accepts, each with a clear error, in one place.

`check_note` and `check_username` raise LimitError (a ValueError) whose message says what is wrong;
screens flash it. The messages are English, like the other validation errors raised below the screens
(passwords, exports); translating them means wrapping them in gettext and adding them to messages.po.
The request body as a whole is capped by Flask's MAX_CONTENT_LENGTH (webui.config), answered with a 413
that names the limit (webui.app).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _

MAX_NOTE_CHARS = 100_000  # a reviewer's note or reason (characters)
MAX_POST_TEXT_CHARS = 100_000  # crawled post text shown on a page before it is cut (the raw file holds all)
MAX_USERNAME_LENGTH = 150  # app_user.username is VARCHAR(150)
MAX_NEXT_LENGTH = 2_000  # a `next=` path after login or the language switch
MAX_REQUEST_BYTES = 2 * 1024 * 1024  # any request body (forms): 413 beyond it
MAX_PARAM_CHARS = 255  # a query filter value
USERNAME_RE = re.compile(r"[\w.@+-]+")


MAX_ID = 2**63 - 1  # BIGINT: a larger id in a path or cursor is no row (404 / ignored), not a driver overflow


class LimitError(ValueError):
    """A value is too long or malformed; str(error) is the message for the user."""


def check_note(note: str | None, limit: int = MAX_NOTE_CHARS) -> str:
    """Return the note stripped, or raise LimitError when it is longer than `limit` characters."""
    note = (note or "").strip()
    if len(note) > limit:
        raise LimitError(_("The note is too long: %(n)s characters, at most %(limit)s.", n=len(note), limit=limit))
    return note


def check_username(username: str | None) -> str:
    """Return the username stripped, or raise LimitError: 1 to 150 letters, digits and . @ + - _, no spaces,
    control, invisible or bidirectional characters (a username must read the same everywhere it is shown)."""
    username = (username or "").strip()
    if not username:
        raise LimitError(_("The username is empty."))
    if len(username) > MAX_USERNAME_LENGTH:
        raise LimitError(_("The username is too long: at most %(n)s characters.", n=MAX_USERNAME_LENGTH))
    if not USERNAME_RE.fullmatch(username) or any(unicodedata.category(ch)[0] == "C" for ch in username):
        raise LimitError(_("The username may hold only letters, digits and . @ + - _ (no spaces or "
                           "invisible characters)."))
    return username


def truncate(text: str | None, limit: int = MAX_POST_TEXT_CHARS) -> tuple[str, bool]:
    """Return (text cut to `limit` characters, whether it was cut): a huge crawled text renders truncated."""
    text = text or ""
    return (text[:limit], True) if len(text) > limit else (text, False)
