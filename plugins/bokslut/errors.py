"""Every failure of a command as one Swedish line and a documented exit code.

The CLI catches everything at its top and asks :func:`explain` what to say; ``--debug`` adds the
traceback. Finance and operators read these lines, so each names what failed and what to do.
"""

from __future__ import annotations

import signal

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class Interrupted(Exception):
    """The process was asked to stop (SIGTERM or Ctrl-C) in the middle of its work."""


def _on_sigterm(signum, frame) -> None:  # noqa: ANN001 - signal handler signature
    raise Interrupted("avbruten av en signal (SIGTERM)")


def install_signal_handlers() -> None:
    """SIGTERM raises :class:`Interrupted` so the work in progress cleans up as after Ctrl-C."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def explain(exc: BaseException) -> tuple[int, str]:
    """(exit code, one Swedish line) for ``exc``."""
    from bokslut.ingest.errors import InputFileError

    if isinstance(exc, (Interrupted, KeyboardInterrupt)):
        return EXIT_INTERRUPTED, "Körningen avbröts; påbörjade inläsningar städades bort och publicerade data är oförändrade."
    if isinstance(exc, (InputFileError, ValueError)):
        return EXIT_INPUT, str(exc)
    return EXIT_ENVIRONMENT, f"Oväntat fel ({type(exc).__name__}); kör med --debug för detaljer."
