"""The exceptions every layer may raise for a person to read (Swedish messages), with no imports:
the lowest floor, so settings and the warehouse can raise them and ``bokslut.errors`` can explain
them without an import circle."""

from __future__ import annotations


class Interrupted(Exception):
    """The process was asked to stop (SIGTERM or Ctrl-C) in the middle of its work."""


class EnvironmentProblem(Exception):
    """Something outside the program must be fixed (exit 3); the message is Swedish and complete."""
