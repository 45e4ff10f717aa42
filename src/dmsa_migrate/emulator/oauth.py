"""The login host: /oauth/token, /oauth/authorize, /oauth/token/info, /oauth/revoke.

Facts followed (procore-facts 2.2-2.4): client-credentials tokens have no refresh token;
authorization codes are single use and live 10 minutes; every refresh returns a new refresh
token and kills the old one whether or not the call succeeds; /oauth/revoke answers 200 even
for an unknown token. Traditional service-account credentials are refused from the sunset
date on, or at once when ``revoked``.
"""

from __future__ import annotations

import base64
import binascii
import html
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus, urlencode

from dmsa_migrate.emulator.http import Response, json_response, oauth_error
from dmsa_migrate.emulator.state import Token

if TYPE_CHECKING:
    from dmsa_migrate.emulator.app import Context

OOB = "urn:ietf:wg:oauth:2.0:oob"
UNKNOWN_CLIENT = (
    "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method."
)
INVALID_GRANT = (
    "The provided authorization grant is invalid, expired, revoked, does not match the "
    "redirection URI used in the authorization request, or was issued to another client."
)


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """``client_id``/``client_secret`` from an ``Authorization: Basic`` header, if any.

    RFC 6749 section 2.3.1: the id and the secret are form-urlencoded, joined by ``:``,
    then base64-encoded; an authorization server must accept this for clients with a
    password. A header that is not Basic, or not decodable, gives None.
    """
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def _client_form(ctx: Context) -> dict[str, str] | Response:
    """The body's fields with the client taken from HTTP Basic when the header is sent.

    RFC 6749 section 2.3: a client must not use more than one authentication method in one
    request, so Basic plus a ``client_secret`` field is refused (400 ``invalid_request``).
    """
    form = ctx.request.form()
    basic = basic_credentials(ctx.request.header("authorization"))
    if basic is None:
        return form
    if form.get("client_secret"):
        return oauth_error(
            400, "invalid_request", "Use one client authentication method, not two."
        )
    if form.get("client_id", basic[0]) != basic[0]:
        return oauth_error(400, "invalid_request", "client_id differs from the Basic header.")
    return {**form, "client_id": basic[0], "client_secret": basic[1]}


def token(ctx: Context) -> Response:
    """POST /oauth/token for the three grants; the client authenticates by body fields or
    by HTTP Basic (RFC 6749 2.3.1)."""
    form = _client_form(ctx)
    if isinstance(form, Response):
        return form
    response = _grant(ctx, form)
    if response.status == 401 and basic_credentials(ctx.request.header("authorization")):
        # RFC 6749 5.2: a client that authenticated by the Authorization header gets 401
        # with the scheme it used in WWW-Authenticate.
        response.headers.append(("WWW-Authenticate", 'Basic realm="Procore"'))
    return response


def _grant(ctx: Context, form: dict[str, str]) -> Response:
    grant = form.get("grant_type", "")
    if grant == "client_credentials":
        return _client_credentials(ctx, form)
    if grant == "authorization_code":
        return _authorization_code(ctx, form)
    if grant == "refresh_token":
        return _refresh(ctx, form)
    return oauth_error(
        400,
        "unsupported_grant_type",
        "The authorization grant type is not supported by the authorization server.",
    )


def _token_body(ctx: Context, tok: Token) -> Response:
    ctx.emu.stats.tokens_issued += 1
    body: dict[str, object] = {
        "access_token": tok.value,
        "token_type": "bearer",
        "expires_in": round(tok.expires_at - tok.created_at),
        "created_at": int(tok.created_at),
    }
    if tok.refresh_token:
        body["refresh_token"] = tok.refresh_token
    return json_response(200, body, [("Cache-Control", "no-store")])


def _client_credentials(ctx: Context, form: dict[str, str]) -> Response:
    emu = ctx.emu
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    lifetime = emu.world.limits.token_lifetime_s
    account = emu.index.service_accounts.get(client_id)
    if account is not None and account.client_secret == secret:
        if account.revoked:
            return oauth_error(401, "invalid_client", "The client credentials have been revoked.")
        if emu.after_sunset(ctx.now):
            return oauth_error(
                401,
                "invalid_client",
                "Traditional service account credentials are no longer supported "
                f"(sunset {emu.world.world.sunset.isoformat()}).",
            )
        tok = emu.store.issue(
            "tsa",
            user_id=account.user_id,
            client_id=client_id,
            now=ctx.now,
            lifetime=lifetime,
            company_id=account.company_id,
        )
        return _token_body(ctx, tok)
    app = emu.index.apps.get(client_id)
    if app is not None and app.client_secret == secret:
        tok = emu.store.issue(
            "dmsa", user_id=None, client_id=client_id, now=ctx.now, lifetime=lifetime
        )
        return _token_body(ctx, tok)
    return oauth_error(401, "invalid_client", UNKNOWN_CLIENT)


def _app_client_ok(ctx: Context, form: dict[str, str]) -> bool:
    app = ctx.emu.index.apps.get(form.get("client_id", ""))
    return app is not None and app.client_secret == form.get("client_secret", "")


def _authorization_code(ctx: Context, form: dict[str, str]) -> Response:
    if not _app_client_ok(ctx, form):
        return oauth_error(401, "invalid_client", UNKNOWN_CLIENT)
    code = ctx.emu.store.codes.pop(form.get("code", ""), None)
    if (
        code is None
        or code.expires_at <= ctx.now
        or code.client_id != form.get("client_id")
        or code.redirect_uri != form.get("redirect_uri", code.redirect_uri)
    ):
        return oauth_error(400, "invalid_grant", INVALID_GRANT)
    tok = ctx.emu.store.issue(
        "user",
        user_id=code.user_id,
        client_id=code.client_id,
        now=ctx.now,
        lifetime=ctx.emu.world.limits.token_lifetime_s,
        with_refresh=True,
    )
    return _token_body(ctx, tok)


def _refresh(ctx: Context, form: dict[str, str]) -> Response:
    # The old refresh token dies on use, even when this call fails (procore-facts 2.4).
    old = ctx.emu.store.refresh.pop(form.get("refresh_token", ""), None)
    if not _app_client_ok(ctx, form):
        return oauth_error(401, "invalid_client", UNKNOWN_CLIENT)
    if old is None or old.client_id != form.get("client_id"):
        return oauth_error(400, "invalid_grant", "The refresh token is invalid")
    tok = ctx.emu.store.issue(
        "user",
        user_id=old.user_id,
        client_id=old.client_id,
        now=ctx.now,
        lifetime=ctx.emu.world.limits.token_lifetime_s,
        with_refresh=True,
    )
    return _token_body(ctx, tok)


def authorize(ctx: Context) -> Response:
    """GET /oauth/authorize: the world's ``login_user`` approves at once."""
    req = ctx.request
    client_id = req.param("client_id") or ""
    redirect_uri = req.param("redirect_uri") or ""
    if req.param("response_type") != "code":
        return oauth_error(400, "unsupported_response_type", "response_type must be 'code'.")
    if client_id not in ctx.emu.index.apps:
        return oauth_error(401, "invalid_client", UNKNOWN_CLIENT)
    if not redirect_uri:
        return oauth_error(400, "invalid_request", "redirect_uri is missing.")
    user_id = ctx.emu.world.world.login_user
    if user_id is None:
        return oauth_error(403, "access_denied", "No user is signed in to this emulator world.")
    code = ctx.emu.store.new_code(client_id, redirect_uri, user_id, ctx.now)
    if redirect_uri == OOB:
        page = (
            "<!doctype html><title>Authorization code</title>"
            "<p>Copy this code and paste it into your application:</p>"
            f'<pre id="authorization_code">{html.escape(code.value)}</pre>'
        )
        return Response(200, page.encode(), [("Content-Type", "text/html; charset=utf-8")])
    query = {"code": code.value}
    state = req.param("state")
    if state is not None:
        query["state"] = state
    sep = "&" if "?" in redirect_uri else "?"
    return Response(302, b"", [("Location", redirect_uri + sep + urlencode(query))])


def token_info(ctx: Context) -> Response:
    """GET /oauth/token/info: introspection of the bearer token."""
    tok = ctx.emu.bearer(ctx.request, ctx.now)
    if tok is None:
        return oauth_error(401, "invalid_token", "The access token is invalid")
    owner = tok.user_id
    if tok.kind == "dmsa" and ctx.company is not None:
        inst = ctx.emu.index.installations.get((tok.client_id or "", ctx.company))
        owner = inst.user_id if inst is not None else None
    expires = tok.expires_at - ctx.now
    created = tok.created_at or ctx.emu.started_at
    return json_response(
        200,
        {
            "resource_owner_id": owner,
            "scopes": [],
            "expires_in_seconds": None if expires == float("inf") else int(expires),
            "application": {"uid": tok.client_id},
            "created_at": int(created),
        },
    )


def revoke(ctx: Context) -> Response:
    """POST /oauth/revoke: revokes the access and refresh token pair; always 200."""
    ctx.emu.store.revoke(ctx.request.form().get("token", ""))
    return json_response(200, {})
