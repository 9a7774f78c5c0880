"""errors.py: meridian.Error and its subclasses, one per MR_E* code of mr_core.h."""
from __future__ import annotations

from typing import Dict, Type


class Error(Exception):
    """A failure reported by libmeridian.

    Attributes: code (the negative MR_E* code), name ("NOTFOUND", ...), message (the library's
    message), field (the option or argument it names, or ""), file and line (when a file is at
    fault, else "" and 0).
    """

    def __init__(self, code: int, name: str, message: str, field: str = "", file: str = "", line: int = 0):
        super().__init__(message)
        self.code = code
        self.name = name
        self.message = message
        self.field = field
        self.file = file
        self.line = line


class NoMemory(Error, MemoryError):
    """MR_ENOMEM."""


class IOFailure(Error, OSError):
    """MR_EIO: a file could not be read or written (or no built-in network was found)."""


class ParseError(Error, ValueError):
    """MR_EPARSE: malformed input (a file, or the options)."""


class Invalid(Error, ValueError):
    """MR_EINVAL: an invalid argument or option (field names it)."""


class NotFound(Error, LookupError):
    """MR_ENOTFOUND: an unknown place, corridor, passage, ... (the message suggests names)."""


class Ambiguous(Error, LookupError):
    """MR_EAMBIGUOUS: a place that matches several."""


class NoRoute(Error):
    """MR_ENOROUTE: no route under the options."""


class BadNetwork(Error, OSError):
    """MR_EBADMAGIC, MR_EVERSION, MR_ETRUNCATED, MR_ECORRUPT: a network file that cannot be used."""


class LimitExceeded(Error):
    """MR_ELIMIT."""


class InvalidNetwork(Error):
    """MR_EINVALID: a network whose data break a rule."""


_BY_NAME: Dict[str, Type[Error]] = {
    "NOMEM": NoMemory,
    "IO": IOFailure,
    "PARSE": ParseError,
    "INVAL": Invalid,
    "NOTFOUND": NotFound,
    "AMBIGUOUS": Ambiguous,
    "NOROUTE": NoRoute,
    "BADMAGIC": BadNetwork,
    "VERSION": BadNetwork,
    "TRUNCATED": BadNetwork,
    "CORRUPT": BadNetwork,
    "LIMIT": LimitExceeded,
    "INVALID": InvalidNetwork,
}


def raise_for(code: int, name: str, message: str, field: str = "", file: str = "", line: int = 0) -> None:
    """Raise the subclass of Error for the library's code name."""
    cls = _BY_NAME.get(name, Error)
    raise cls(code, name, message, field, file, line)
