"""The exceptions every layer may raise for a person to read (Swedish messages), and the Swedish
reason of an operating-system error, with no imports of the package: the lowest floor, so settings,
ingest and the warehouse can raise and word them and ``bokslut.errors`` can explain them without an
import circle."""

from __future__ import annotations

import errno


class Interrupted(Exception):
    """The process was asked to stop (SIGTERM or Ctrl-C) in the middle of its work."""


class EnvironmentProblem(Exception):
    """Something outside the program must be fixed (exit 3); the message is Swedish and complete."""


_OS_REASONS = {
    errno.ENOSPC: "slut på diskutrymme",
    errno.EDQUOT: "diskkvoten är slut",
    errno.EACCES: "åtkomst nekad (behörighet saknas)",
    errno.EPERM: "åtkomst nekad (behörighet saknas)",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ENOTDIR: "en del av sökvägen är en fil, inte en mapp",
    errno.EISDIR: "det är en mapp, inte en fil",
    errno.EEXIST: "det finns redan en fil med det namnet",
    errno.EIO: "läs- eller skrivfel på disken",
    errno.EMFILE: "för många öppna filer",
    errno.ENFILE: "för många öppna filer",
    errno.ENAMETOOLONG: "namnet är för långt",
}


def os_reason(exc: OSError) -> str:
    """The OS reason in Swedish ('slut på diskutrymme', 'åtkomst nekad', ...)."""
    return _OS_REASONS.get(exc.errno, exc.strerror or type(exc).__name__)
