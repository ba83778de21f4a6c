"""Signing in and out over plain HTTP, beside the Streamlit app (clinic mode).

A Streamlit script cannot set an HttpOnly cookie, so the sign-in form (coach_ui/auth.py)
posts to `sign_in` here: a good user name and password start a server-side session
(coach.store.login_sessions) and set its token in an HttpOnly, SameSite=Strict cookie
(Secure over HTTPS), then send the browser back to the page it was on; the pages find
the user from the cookie on every run (`coach_ui.auth.current_principal`), so a refresh,
a bookmark or a typed address keeps them signed in. `sign_out` ends the session on the
server and clears the cookie.

Both refuse a request another site started (its Origin is not this server's): nobody can
sign a visitor in or out from elsewhere. The back-off on guessing (coach.auth.throttle)
applies here, before any password is checked.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from coach.auth.access import LoginPolicy
from coach.auth.throttle import LoginThrottle
from coach.auth.tokens import SESSION_COOKIE, cookie_attributes, token_digest
from coach.core.errors import CoachError
from coach.store import Store

LARGEST_FORM = 4096  # bytes: a user name, a password and a page address
OUTCOME_PARAM = "sign_in"  # ?sign_in=failed or ?sign_in=wait&seconds=N on the way back


@dataclass(frozen=True)
class Attempt:
    """What a sign-in came to: a token, or why not (failed, or how long to wait)."""

    token: str | None = None
    wait_s: int = 0


def attempt(
    store: Store, username: str, password: str, address: str | None, now: datetime
) -> Attempt:
    """Check a user name and password, after the back-off; a good one starts a session.
    Raises CoachError when the database cannot be used."""
    throttle = LoginThrottle(store)
    wait = throttle.wait(username, address, now)
    if wait:
        return Attempt(wait_s=math.ceil(wait.total_seconds()))
    principal = store.authenticate(username, password)
    if principal is None:
        throttle.failed(username, address, now)
        return Attempt()
    throttle.succeeded(username)
    return Attempt(token=store.start_login_session(username, now, LoginPolicy.from_env()))


def same_origin(request: Request) -> bool:
    """Whether the browser says the request comes from a page of this server (a request
    without an Origin header is not from another site's page: browsers send it on
    cross-site form posts)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.url.netloc}"


def page_path(value: str | None) -> str:
    """The page to go back to: a path on this server, or "/" (never another site: no
    scheme, no host, no `//` or backslash tricks)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return parts.path or "/"


def _back(path: str, **params: str | int) -> RedirectResponse:
    query = f"?{urlencode(params)}" if params else ""
    return RedirectResponse(f"{path}{query}", status_code=303)


def sign_in_route(open_store: Callable[[], Store]) -> Callable[[Request], Awaitable[Response]]:
    """The POST handler of the sign-in form (fields `username`, `password`, `next`)."""

    async def sign_in(request: Request) -> Response:
        if not same_origin(request):
            return PlainTextResponse("sign-in refused: the form was not this site's", 403)
        body = await request.body()
        if len(body) > LARGEST_FORM:
            return PlainTextResponse("sign-in refused: the form is too large", 413)
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
        username = fields.get("username", [""])[0]
        password = fields.get("password", [""])[0]
        target = page_path(fields.get("next", ["/"])[0])
        address = request.client.host if request.client else None
        try:
            store = open_store()
            outcome = await run_in_threadpool(
                attempt, store, username, password, address, datetime.now(UTC)
            )
            policy = LoginPolicy.from_env()
        except CoachError as exc:
            return PlainTextResponse(f"cannot sign in now: {exc}", 503)
        if outcome.wait_s:
            return _back(target, **{OUTCOME_PARAM: "wait", "seconds": outcome.wait_s})
        if outcome.token is None:
            return _back(target, **{OUTCOME_PARAM: "failed"})
        response = _back(target)
        response.set_cookie(
            SESSION_COOKIE,
            outcome.token,
            max_age=int(policy.longest.total_seconds()),
            **cookie_attributes(secure=request.url.scheme == "https"),  # type: ignore[arg-type]
        )
        return response

    return sign_in


def sign_out_route(open_store: Callable[[], Store]) -> Callable[[Request], Awaitable[Response]]:
    """The POST handler of sign-out: the session ends on the server, the cookie is
    cleared, and the browser goes to the start page.

    With a form field `ended` (the digest of a cookie whose session a page saw end:
    coach_ui/cookie_clear.py), only that cookie is cleared: if the browser has signed in
    again since, in another tab, its new cookie is left alone (204, nothing changed)."""

    async def sign_out(request: Request) -> Response:
        if not same_origin(request):
            return PlainTextResponse("sign-out refused: the form was not this site's", 403)
        body = await request.body()
        if len(body) > LARGEST_FORM:
            return PlainTextResponse("sign-out refused: the form is too large", 413)
        ended = parse_qs(body.decode("utf-8", "replace"), max_num_fields=4).get("ended")
        token = request.cookies.get(SESSION_COOKIE)
        if ended is not None and (not token or token_digest(token) != ended[0]):
            return Response(status_code=204)
        if token:
            try:
                await run_in_threadpool(open_store().end_login_session, token)
            except CoachError as exc:
                return PlainTextResponse(f"cannot sign out now: {exc}", 503)
        response = _back("/")
        attributes = cookie_attributes(secure=request.url.scheme == "https")
        response.delete_cookie(SESSION_COOKIE, **attributes)  # type: ignore[arg-type]
        return response

    return sign_out
