"""Explain a call whose HTTP method the evidence could not tell.

A code scan sometimes finds the path of a call but not its method (a wrapper that takes
the method from configuration, say). Reading such a call as GET would make a
least-privilege manifest grant readonly to a tool the integration may write with, so an
unknown method is read as the most demanding create/update/read the map knows for
that path: a possible write, never a silent GET.
"""

from __future__ import annotations

from dmsa_migrate.models.common import LEVEL_ORDER
from dmsa_migrate.models.permissions import RouteExplanation
from dmsa_migrate.permissions.map import PermissionMap

UNKNOWN_METHOD = "UNKNOWN"
_CANDIDATES = ("PATCH", "PUT", "POST", "GET")
"""DELETE is left out: a delete usually needs admin, and granting admin for every call whose
method is unknown would widen far more than a create or update does."""


def explain_call(permission_map: PermissionMap, method: str, path: str) -> RouteExplanation:
    """``permission_map.explain``, with ``UNKNOWN`` read as the highest-level method the
    map has for ``path`` (the answer keeps ``method: "UNKNOWN"`` and says so in a note)."""
    if method.strip().upper() != UNKNOWN_METHOD:
        return permission_map.explain(method, path)
    answers = [permission_map.explain(verb, path) for verb in _CANDIDATES]
    known = [answer for answer in answers if answer.known]
    if not known:
        return answers[-1].model_copy(update={"method": UNKNOWN_METHOD})
    best = max(known, key=lambda answer: LEVEL_ORDER.get(answer.level or "none", 0))
    note = (f"method unknown: read as a possible write ({best.method} needs "
            f"{best.level or 'no tool permission'})")
    return best.model_copy(update={"method": UNKNOWN_METHOD, "notes": [*best.notes, note]})
