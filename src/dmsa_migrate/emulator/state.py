"""Mutable emulator state: issued access and refresh tokens, authorization codes.

The world file is immutable; everything a client creates at run time lives here.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from typing import Literal

TokenKind = Literal["user", "tsa", "dmsa"]
CODE_LIFETIME_S = 600.0


@dataclass
class Token:
    """An access token and who it acts as.

    ``kind``: ``user`` (a person's token: world user token or authorization-code login),
    ``tsa`` (client credentials of a traditional service account) or ``dmsa`` (client
    credentials of a DMSA app). ``company_id`` is the TSA's own company.
    """

    value: str
    kind: TokenKind
    user_id: int | None
    client_id: str | None
    created_at: float
    expires_at: float
    company_id: int | None = None
    refresh_token: str | None = None
    revoked: bool = False

    @property
    def client_credentials(self) -> bool:
        return self.kind in ("tsa", "dmsa")

    def alive(self, now: float) -> bool:
        return not self.revoked and now < self.expires_at


@dataclass
class AuthCode:
    value: str
    client_id: str
    redirect_uri: str
    user_id: int
    expires_at: float


@dataclass
class TokenStore:
    """Issued tokens, refresh tokens (single use) and authorization codes (single use)."""

    tokens: dict[str, Token] = field(default_factory=dict)
    refresh: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)

    def issue(
        self,
        kind: TokenKind,
        *,
        user_id: int | None,
        client_id: str | None,
        now: float,
        lifetime: float,
        company_id: int | None = None,
        with_refresh: bool = False,
    ) -> Token:
        token = Token(
            value=secrets.token_urlsafe(32),
            kind=kind,
            user_id=user_id,
            client_id=client_id,
            created_at=now,
            expires_at=now + lifetime,
            company_id=company_id,
            refresh_token=secrets.token_urlsafe(32) if with_refresh else None,
        )
        self.tokens[token.value] = token
        if token.refresh_token:
            self.refresh[token.refresh_token] = token
        return token

    def add_fixed(self, value: str, user_id: int) -> None:
        """A world ``[[user_tokens]]`` entry: a person's token that never expires."""
        self.tokens[value] = Token(value, "user", user_id, None, 0.0, math.inf)

    def new_code(self, client_id: str, redirect_uri: str, user_id: int, now: float) -> AuthCode:
        code = AuthCode(
            secrets.token_urlsafe(24), client_id, redirect_uri, user_id, now + CODE_LIFETIME_S
        )
        self.codes[code.value] = code
        return code

    def revoke(self, value: str) -> None:
        """Revoke an access token or refresh token and its pair (Procore revokes both)."""
        token = self.tokens.get(value) or self.refresh.get(value)
        if token is None:
            return
        token.revoked = True
        if token.refresh_token:
            self.refresh.pop(token.refresh_token, None)
