"""The async Procore API client (the only code in the tool that speaks HTTP to Procore).

Usage::

    from dmsa_migrate.procore import ClientCredentials, ProcoreClient, environment_from_options

    env = environment_from_options("production")
    async with ProcoreClient(env, ClientCredentials(client_id, secret), company_id=101) as client:
        me = await client.me()
        projects = await client.get_all("/rest/v1.1/projects", params={"company_id": 101})

See docs/client.md for tokens, headers, pagination, pacing, retries, errors and stats.
"""

from __future__ import annotations

from dmsa_migrate.procore.auth import (
    OUT_OF_BAND_REDIRECT,
    ClientCredentials,
    Credentials,
    TokenManager,
    TokenSet,
    UserToken,
    authorization_url,
    exchange_code,
    refresh_tokens,
)
from dmsa_migrate.procore.client import ClientFactory, ProcoreClient
from dmsa_migrate.procore.environments import (
    ENVIRONMENTS,
    GOV,
    MONTHLY,
    PRODUCTION,
    SANDBOX,
    Environment,
    environment_from_options,
)
from dmsa_migrate.procore.pagination import DEFAULT_PER_PAGE, KNOWN_MAX_PER_PAGE
from dmsa_migrate.procore.ratelimit import RateLimiter, RateLimitInfo
from dmsa_migrate.procore.retry import RetryPolicy
from dmsa_migrate.procore.stats import ClientEvent, ClientStats

__all__ = [
    "DEFAULT_PER_PAGE",
    "ENVIRONMENTS",
    "GOV",
    "KNOWN_MAX_PER_PAGE",
    "MONTHLY",
    "OUT_OF_BAND_REDIRECT",
    "PRODUCTION",
    "SANDBOX",
    "ClientCredentials",
    "ClientEvent",
    "ClientFactory",
    "ClientStats",
    "Credentials",
    "Environment",
    "ProcoreClient",
    "RateLimitInfo",
    "RateLimiter",
    "RetryPolicy",
    "TokenManager",
    "TokenSet",
    "UserToken",
    "authorization_url",
    "environment_from_options",
    "exchange_code",
    "refresh_tokens",
]
