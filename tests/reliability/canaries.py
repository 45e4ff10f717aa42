"""Canary secrets and the search for them in every encoding a leak could take.

A canary is a secret value that exists only to be looked for: it is planted in the world
(client secrets, the DMSA secret, the admin's token), in the scanned code, and given to the
tool through references; after the run, any occurrence in output, logs or files written is
a leak. Each canary mixes characters that change under URL-encoding (``+ / =``) and JSON
or HTML escaping (``" \\``, non-ASCII), so every encoded form is distinct from the plain one.
"""

from __future__ import annotations

import base64
import html
import json
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

TSA_ACME = 'cnry-tsa-acme-Q7x+Lm/9Rt=pW2"vK\\d4Ja'
TSA_BAYVIEW = "cnry-tsa-bayview-H3k9Zp2Wq8Ns5VbT"
TSA_CEDAR = "cnry-tsa-cedar-é-Mx4Pq7Rz+Uw1Yo"
DMSA_SECRET = "cnry-dmsa-Zt5+Yw/3Kp=Qx8Lr2Nv6Hs"
ADMIN_TOKEN = "cnry-admin-token-Fh2Jk8Ls4Dq6WmXc"
CODE_SECRET = "cnryCODEa9F3kL7pQ2xZ8vN4mR6tW1yE"
WRONG_SECRET = "cnry-wrong-secret-P9o8I7u6Y5t4Rr"
REFUSED_TOKEN = "cnry-refused-token-B3n5M7k9J1h2Gg"

ALL: Mapping[str, str] = {
    "tsa_acme": TSA_ACME,
    "tsa_bayview": TSA_BAYVIEW,
    "tsa_cedar": TSA_CEDAR,
    "dmsa_secret": DMSA_SECRET,
    "admin_token": ADMIN_TOKEN,
    "code_secret": CODE_SECRET,
    "wrong_secret": WRONG_SECRET,
    "refused_token": REFUSED_TOKEN,
}


def _base64_forms(value: bytes) -> set[str]:
    """Base64 of ``value`` at each of the three byte alignments it can have inside a larger
    encoded blob (e.g. ``id:secret`` in a Basic header), trimmed to the stable middle."""
    forms: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        for shift in range(3):
            text = encode(b"\0" * shift + value).decode()
            start = 4 if shift else 0  # the quartet holding the prefix bytes differs
            forms.add(text[start:-4])  # the last quartet depends on what follows
    return forms


def encoded_forms(secret: str) -> set[str]:
    """Plain, URL-encoded, base64 and JSON/HTML-escaped forms of ``secret``, plus a plain
    12-character fragment from its middle (a truncated display is a leak too)."""
    middle = len(secret) // 2
    forms = {
        secret,
        secret[middle - 6 : middle + 6],
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),
        urllib.parse.quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        html.escape(secret),
        *_base64_forms(secret.encode("utf-8")),
    }
    return {form for form in forms if len(form) >= 8}


@dataclass(frozen=True)
class Leak:
    """Where a canary was found, and in which form."""

    canary: str
    form: str
    where: str

    def __str__(self) -> str:
        return f"{self.canary} found as {self.form!r} in {self.where}"


def leaks_in_text(text: str, where: str, canaries: Mapping[str, str] = ALL) -> list[Leak]:
    """Every canary form present in ``text``."""
    found = []
    for name, secret in canaries.items():
        for form in encoded_forms(secret):
            if form in text:
                found.append(Leak(name, form, where))
    return found


def leaks_in_tree(roots: Iterable[Path], canaries: Mapping[str, str] = ALL) -> list[Leak]:
    """Every canary form in any file under ``roots`` (bytes decoded as UTF-8, lossy)."""
    found: list[Leak] = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            text = path.read_bytes().decode("utf-8", errors="replace")
            found.extend(leaks_in_text(text, str(path), canaries))
    return found
