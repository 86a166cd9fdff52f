"""Errors a finance user reads: the message is Swedish and names the file, line and column."""

from __future__ import annotations


class InputFileError(Exception):
    """The whole file cannot be read (encoding, separator, missing column, ...)."""
