"""dmsa-migrate: move Procore integrations from traditional service accounts to DMSA.

Nothing is imported here on purpose: ``dmsa-migrate --help`` must start fast and must not
pull in textual or httpx.
"""

__version__ = "0.1.0"
