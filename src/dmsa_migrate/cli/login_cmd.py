"""``dmsa-migrate login``: a company admin lends their access for Directory reads.

Procore's authorization-code flow with the DMSA app's own credentials: the admin approves
the app in a browser, Procore sends the browser back to a one-shot listener on
``http://localhost`` (registered for every app) and the code is traded for tokens. On a
remote shell, ``--oob`` shows the code on a Procore page instead, to paste here. Nobody
hands over a password or a token. With ``--keyring`` the tokens are kept in the OS keyring
for ``[directory] login = true``; without it they live only for this command, which then
just proves the login works.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dmsa_migrate.cli._options import add_connection_options, finite_number, port_number
from dmsa_migrate.errors import InputError


def register(subparsers: Any) -> None:
    """Register ``login``."""
    parser = subparsers.add_parser(
        "login",
        help="authorization-code login for directory reads",
        description="Approve the app in a browser as a company admin; the token is used for "
        "Company Directory reads ([directory] login = true in the accounts file).",
    )
    parser.add_argument("--client-id", required=True, metavar="ID", help="the DMSA app's client id")
    parser.add_argument(
        "--client-secret", required=True, metavar="REF",
        help="reference to the app's client secret (env:NAME, file:PATH, keyring:S/N, prompt)",
    )
    parser.add_argument(
        "--keyring", action="store_true", help="keep the tokens in the OS keyring for later runs"
    )
    parser.add_argument(
        "--oob", action="store_true",
        help="out-of-band: Procore shows the code and you paste it (for remote shells)",
    )
    parser.add_argument(
        "--redirect-port", type=port_number, default=80, metavar="PORT",
        help="port of the registered http://localhost redirect (default 80; 0 picks a free one)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="print the URL instead of opening a browser"
    )
    parser.add_argument(
        "--timeout", type=finite_number(0, 86_400, above_low=True), default=600.0, metavar="S",
        help="how long to wait for the browser (default 600: codes live 10 minutes)",
    )
    add_connection_options(parser)
    parser.set_defaults(handler=_login)


def _login(args: argparse.Namespace) -> int:
    import anyio

    from dmsa_migrate.cli._login import SavedLogin, save_login
    from dmsa_migrate.procore import ClientCredentials, ProcoreClient, UserToken, exchange_code
    from dmsa_migrate.runtime import connection_from_options
    from dmsa_migrate.secrets import mask_client_id, resolve

    connection = connection_from_options(args.env, args.api_base, args.login_base)
    secret = resolve(args.client_secret, field="--client-secret")
    credentials = ClientCredentials(args.client_id, secret)
    code, redirect_uri = _obtain_code(args, connection.environment)

    async def finish() -> tuple[Any, Any]:
        tokens = await exchange_code(
            connection.environment, credentials, code, redirect_uri, transport=connection.transport
        )
        async with ProcoreClient(
            connection.environment, UserToken(tokens.access_token), transport=connection.transport
        ) as client:
            return tokens, await client.me()

    tokens, me = anyio.run(finish)
    who = f"{me.get('name') or me.get('login') or 'user'} (id {me.get('id')})"
    print(f"logged in as {who} through app {mask_client_id(args.client_id)}")
    if args.keyring:
        save_login(
            connection.environment,
            SavedLogin.from_tokens(tokens, args.client_id, args.client_secret, redirect_uri),
        )
        print("saved in the OS keyring: use `login = true` in the accounts file's [directory]")
    else:
        print(
            "not saved: the token lived only for this command. Add --keyring to keep it for "
            "`[directory] login = true`.",
            file=sys.stderr,
        )
    return 0


def _obtain_code(args: argparse.Namespace, environment: Any) -> tuple[str, str]:
    """Run the browser part: the code and the redirect URI it was issued for."""
    from dmsa_migrate.procore import OUT_OF_BAND_REDIRECT, authorization_url
    from dmsa_migrate.procore.login import RedirectCatcher, code_from_paste, new_state

    state = new_state()
    if args.oob:
        url = authorization_url(environment, args.client_id, OUT_OF_BAND_REDIRECT, state)
        _show(url, args.no_browser)
        return code_from_paste(_read_paste(), state=None), OUT_OF_BAND_REDIRECT
    with RedirectCatcher(args.redirect_port, state) as catcher:
        url = authorization_url(environment, args.client_id, catcher.redirect_uri, state)
        _show(url, args.no_browser)
        print("waiting for the browser…", file=sys.stderr)
        return catcher.wait_for_code(state, args.timeout), catcher.redirect_uri


PASTE_LIMIT = 8192
"""Characters read of a pasted code or redirect URL (Procore's are a few hundred)."""


def _read_paste() -> str:
    """One pasted line from stdin, the prompt on stderr.

    Why not ``input()``: it writes its prompt to stdout when stdout is not a terminal, where
    it would mix with the command's results (``login --oob > out.txt``).
    """
    print("Paste the code Procore shows (or the whole URL): ", end="", file=sys.stderr,
          flush=True)
    line = sys.stdin.readline(PASTE_LIMIT + 1)
    if not line:
        raise InputError("login: no code was pasted (standard input ended)")
    if len(line) > PASTE_LIMIT:
        raise InputError(f"login: the pasted text is longer than {PASTE_LIMIT} characters")
    return line


def _show(url: str, no_browser: bool) -> None:
    print(f"Approve the app as a company admin at:\n  {url}", file=sys.stderr)
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
