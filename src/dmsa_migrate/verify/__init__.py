"""Step 3: verify a DMSA install against the old service accounts' access.

Entry point: :func:`verify_install` (async, no file IO). The parts: :mod:`.probe` reads
what the DMSA sees and can do, :mod:`.old_access` merges the inventory per company,
:mod:`.compare` turns both into a ``verification.json`` entry, :mod:`.previous` compares
with an earlier run, :mod:`.users` runs Procore's user-versus-app project comparison,
:mod:`.findings` holds the stable finding codes and :mod:`.render` the text summary.
"""

from __future__ import annotations

from dmsa_migrate.verify.findings import ALL_CODES, Code
from dmsa_migrate.verify.run import (
    ClientFactory,
    VerificationIncomplete,
    VerifyProgress,
    verify_install,
)

__all__ = [
    "ALL_CODES",
    "ClientFactory",
    "Code",
    "VerificationIncomplete",
    "VerifyProgress",
    "verify_install",
]
