"""Errors meant to be shown to a person: one line that says what went wrong and what to do."""


class CoordoError(Exception):
    """Base class: the CLI prints the message on one line and exits with ``exit_code``."""

    exit_code = 1


class InvalidQuestion(CoordoError):
    exit_code = 2


class CorpusError(CoordoError):
    exit_code = 3


class IndexMissing(CoordoError):
    exit_code = 4


class IndexCorrupted(CoordoError):
    exit_code = 4


class IndexMismatch(CoordoError):
    exit_code = 4


class StoreUnavailable(CoordoError):
    """The Chroma server named by the configuration cannot be reached."""

    exit_code = 4


class ModelError(CoordoError):
    exit_code = 5


class LLMServerError(CoordoError):
    exit_code = 6


class IndexReadOnly(CoordoError):
    """The index (or where a new one must be written) cannot be written by this process."""

    exit_code = 4


class DatabaseUnavailable(CoordoError):
    """The web store's database (PostgreSQL server, or the SQLite file) cannot be used."""

    exit_code = 7
