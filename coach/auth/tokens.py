"""Sign-in tokens: what the browser keeps (an opaque random token in a cookie) and what the
server keeps (its SHA-256 digest only, so a copy of the database signs nobody in).

A token is 256 random bits: a fast digest is enough, a guess is hopeless either way. The
cookie's name and attributes are here too, so the routes that set and clear it and the
pages that read it agree.
"""

from __future__ import annotations

import hashlib
import secrets

SESSION_COOKIE = "form_coach_session"


def new_token() -> str:
    """A fresh token: 43 URL-safe characters of `secrets.token_urlsafe(32)`."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the store keeps of a token: its SHA-256, in hex (64 characters)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def cookie_attributes(*, secure: bool) -> dict[str, object]:
    """How the session cookie is set (Starlette's `set_cookie` keywords): unreadable by
    scripts, never sent by a request another site starts, HTTPS-only when served over
    HTTPS, for the whole app. Its lifetime is set by the caller (the absolute timeout)."""
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": "/"}
