"""Which company users might be an old service account, and why.

Procore has no field that marks a service account (procore-facts.md 5.3), so the tool
lists *candidates* with the evidence the API does expose and lets a person choose by
writing ``user_id`` into the accounts file. It never picks one on its own: a wrong pick
would rebuild someone else's access into the new app's manifest.

Evidence, strongest first (HISTORICAL/INFERRED, see the reference):
* an ``@procore.com`` login: traditional accounts got an auto-generated one;
* never logged in: they could not log in;
* name words shared with the account's label;
* not an employee (weak: every outside collaborator is one too).
A name ending in a random hex suffix is how DMSA users are named ("Acme Sync 4f2a9c"), so
it counts against.
"""

from __future__ import annotations

import re
from typing import Any

from dmsa_migrate.inventory.evidence import Candidate
from dmsa_migrate.procore.answers import answer_id

_WORD = re.compile(r"[a-z0-9]+")
_DMSA_SUFFIX = re.compile(r"\b[0-9a-f]{6}$")
_MIN_SCORE = 3


def _words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if len(word) > 2}


def score_user(user: dict[str, Any], label: str) -> Candidate | None:
    """Score one company user; ``None`` when nothing suggests a service account."""
    login = str(user.get("email_address") or user.get("login") or "")
    name = str(user.get("name") or "")
    score = 0
    reasons: list[str] = []
    if login.lower().endswith("@procore.com"):
        score += 3
        reasons.append("@procore.com login (traditional service accounts got one)")
    if not user.get("last_login_at"):
        score += 2
        reasons.append("never logged in")
    shared = sorted(_words(name) & _words(label))
    if shared:
        score += 2
        reasons.append(f"name shares {', '.join(shared)!s} with the label")
    if user.get("is_employee") is False:
        score += 1
        reasons.append("not an employee")
    if _DMSA_SUFFIX.search(name.lower()):
        score -= 3
        reasons.append("name ends in a random suffix, as DMSA users' names do")
    if score < _MIN_SCORE or "id" not in user:
        return None
    return Candidate(answer_id(user["id"], "the company's users: id"), name, login, score,
                     reasons)


def rank_candidates(users: list[Any], label: str, limit: int = 5) -> list[Candidate]:
    """The best ``limit`` candidates, best first (ties by id, so the order is stable)."""
    found = [
        candidate
        for user in users
        if isinstance(user, dict) and (candidate := score_user(user, label)) is not None
    ]
    found.sort(key=lambda c: (-c.score, c.id))
    return found[:limit]
