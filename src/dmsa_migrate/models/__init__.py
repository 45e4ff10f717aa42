"""Pydantic models only: no httpx, no textual, no file IO.

Submodules: ``common`` (levels, sources), ``inventory`` (inventory.json), ``verification``
(verification.json). Later steps add their own modules here.
"""
