"""Imports every module that defines record kinds, so the registry in fmdesk.records is complete
before anything reads records by kind name (sync, family files). Add new record modules here."""

from fmdesk import definition, families  # noqa: F401
from fmdesk.records import RECORD_KINDS

__all__ = ["RECORD_KINDS"]
