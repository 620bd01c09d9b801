"""The C error record as Python exceptions, and Python exceptions through C.

error() is the one place a failed C call becomes a Python exception.

When Python code called back by the library (a raw stream's readinto, an
opener) raises, the exception cannot cross the C frames.  record_failure()
keeps it in a thread-local stash and writes an equivalent record for the
library to report; when the C call then fails with that record, error()
hands back the stashed exception itself, traceback and all, so the caller
sees exactly what the callback raised.

Callbacks nest (a callback may call the library, which calls back again), so
each stashed exception carries the callback depth it was raised at, and a
C call made at depth d is answered only from depth d + 1.  Finalisers
(__del__) may run anywhere, even between a failed call and error(): they
save and restore the stash and the record around their own calls, as
CPython's finalisers save and restore the current exception.
"""

import ast
import io
import os
import threading

from . import _lib
from ._lib import lib

_state = threading.local()


def _pending():
    try:
        return _state.pending
    except AttributeError:
        _state.pending = []
        _state.depth = 0
        return _state.pending


def enter_callback():
    _pending()
    _state.depth += 1


def leave_callback():
    _state.depth -= 1


_SIMPLE = {
    _lib.ERR_VALUE: ValueError,
    _lib.ERR_LOOKUP: LookupError,
    _lib.ERR_TYPE: TypeError,
    _lib.ERR_ATTRIBUTE: AttributeError,
    _lib.ERR_RUNTIME: RuntimeError,
    _lib.ERR_MEMORY: MemoryError,
    _lib.ERR_BUFFER: BufferError,
    _lib.ERR_OVERFLOW: OverflowError,
    _lib.ERR_UNICODE: UnicodeError,
}


def _text(raw):
    return raw.decode("utf-8", "surrogateescape") if raw else ""


def _take_stashed(kind, message):
    """The exception a callback of this call stashed for this record, if any.

    Whatever else the callbacks of this call (and their nested calls) left
    is dropped: the library has dealt with those failures."""
    pending = _pending()
    if not pending:
        return None
    inner = _state.depth + 1
    found = None
    for exc, depth, stashed_kind, stashed_message in reversed(pending):
        if depth == inner and stashed_kind == kind and stashed_message == message:
            found = exc
            break
    pending[:] = [entry for entry in pending if entry[1] < inner]
    return found


def forget_stale():
    """After a library call that succeeded although a callback it made
    failed (the library dealt with the failure, e.g. a raw stream that cannot
    tell() while a buffered object is made): drops what that callback
    stashed.  Otherwise the exception, its traceback and every object its
    frames hold would live until this thread's next failing call."""
    pending = _state.__dict__.get("pending")
    if pending:
        inner = _state.depth + 1
        pending[:] = [entry for entry in pending if entry[1] < inner]


def save():
    """A snapshot of this thread's stash and error record, for a finaliser."""
    pending = _pending()
    kind = lib.pyio_error_kind()
    record = None
    if kind != _lib.ERR_NONE:
        raw_name = lib.pyio_error_filename() if kind == _lib.ERR_OS else None
        record = (kind, lib.pyio_error_message(), lib.pyio_error_errno(), raw_name)
    return list(pending), record


def restore(saved):
    """Puts back what save() took.  The record comes back as far as the C
    API can set it: kind and message, or errno and file name for OSError."""
    pending, record = saved
    _pending()[:] = pending
    if record is None:
        return
    kind, message, errnum, raw_name = record
    if kind == _lib.ERR_OS and errnum:
        lib.pyio_error_set_oserror(errnum, raw_name)
    else:
        lib.pyio_error_set(kind, message)


_NO_FILENAME = object()


def error(filename=_NO_FILENAME):
    """The exception for the calling thread's error record (read it at once,
    right after the failed call).  `filename`, when given, replaces the file
    name the record holds: the object the caller passed, as Python keeps it.
    """
    kind = lib.pyio_error_kind()
    message = _text(lib.pyio_error_message())
    stashed = _take_stashed(kind, message)
    if stashed is not None:
        return stashed
    if kind in _SIMPLE:
        return _SIMPLE[kind](message) if message else _SIMPLE[kind]()
    if kind == _lib.ERR_OS:
        errnum = lib.pyio_error_errno()
        if not errnum:
            return OSError(message)
        raw_name = lib.pyio_error_filename()
        if raw_name is None:
            return OSError(errnum, os.strerror(errnum))
        name = os.fsdecode(raw_name) if filename is _NO_FILENAME else filename
        return OSError(errnum, os.strerror(errnum), name)
    if kind == _lib.ERR_BLOCKING_IO:
        errnum = lib.pyio_error_errno()
        written = lib.pyio_error_characters_written()
        # The text may be the layer's own ("write could not complete without
        # blocking"), not strerror's; and errno may be 0 (a raw stream that
        # said "would block" without one, as io reports it too).
        prefix = f"[Errno {errnum}] "
        if message.startswith(prefix):
            return BlockingIOError(errnum, message[len(prefix):], written)
        if not errnum:
            return BlockingIOError(message)
        return BlockingIOError(errnum, os.strerror(errnum), written)
    if kind == _lib.ERR_UNSUPPORTED_OPERATION:
        return io.UnsupportedOperation(message)
    if kind in (_lib.ERR_UNICODE_DECODE, _lib.ERR_UNICODE_ENCODE):
        return _unicode_error(kind, message)
    return SystemError(f"libpyio reported a failure without an error (kind {kind}): {message}")


def _unicode_error(kind, message):
    """A real UnicodeDecodeError / UnicodeEncodeError with the record's
    encoding, start, end and reason.  The C API does not give the input
    that failed, so `object` is a stand-in of the right length: NULs, with
    the offending byte or character (named by the message) at `start`, so
    that str() of the exception reads as the library's message, which is
    Python's.  Should it not, `object` is empty, as the record alone allows."""
    decode = kind == _lib.ERR_UNICODE_DECODE
    cls, empty = (UnicodeDecodeError, b"") if decode else (UnicodeEncodeError, "")
    args = (_text(lib.pyio_error_encoding()), lib.pyio_error_start(), lib.pyio_error_end(),
            _text(lib.pyio_error_reason()))
    encoding, start, end, reason = args
    stand_in = empty
    if 0 <= start < end <= _STAND_IN_LIMIT:
        stand_in = (b"\0" if decode else "\0") * end
        if end == start + 1:
            culprit = _culprit(message, decode)
            if culprit is not None:
                stand_in = stand_in[:start] + culprit
    exc = cls(encoding, stand_in, start, end, reason)
    if str(exc) != message:
        exc = cls(encoding, empty, start, end, reason)
    return exc


# Beyond this the stand-in object would cost more memory than it is worth.
_STAND_IN_LIMIT = 1 << 20


def _culprit(message, decode):
    """The byte ("byte 0xff in position") or character ("character '\\xe9'
    in position") a single-position Unicode error message names."""
    word = " byte 0x" if decode else " character '"
    at = message.find(word)
    stop = message.find(" in position ", at)
    if at < 0 or stop < 0:
        return None
    text = message[at + len(word):stop]
    try:
        if decode:
            return bytes([int(text, 16)])
        return ast.literal_eval("'" + text)
    except (ValueError, SyntaxError):
        return None


def _kind_of(exc):
    # Most derived first: UnsupportedOperation is both an OSError and a
    # ValueError, the Unicode errors are ValueErrors.
    if isinstance(exc, io.UnsupportedOperation):
        return _lib.ERR_UNSUPPORTED_OPERATION
    if isinstance(exc, BlockingIOError):
        return _lib.ERR_BLOCKING_IO
    if isinstance(exc, OSError):
        return _lib.ERR_OS
    if isinstance(exc, UnicodeDecodeError):
        return _lib.ERR_UNICODE_DECODE
    if isinstance(exc, UnicodeEncodeError):
        return _lib.ERR_UNICODE_ENCODE
    if isinstance(exc, UnicodeError):
        return _lib.ERR_UNICODE
    for kind, cls in _SIMPLE.items():
        if isinstance(exc, cls):
            return kind
    return _lib.ERR_RUNTIME


def record_failure(exc):
    """For a callback that raised: record an error the library can reason
    about (its kind follows the exception's class), stash the exception for
    error() to hand back, and return -1 for the callback to return."""
    try:
        kind = _kind_of(exc)
        errnum = getattr(exc, "errno", None) if kind == _lib.ERR_OS else None
        if isinstance(errnum, int) and 0 < errnum <= _lib.INT_MAX:
            name = exc.filename
            if isinstance(name, (str, bytes, os.PathLike)):
                name = os.fsencode(name)
            else:
                name = None if name is None else str(name).encode("utf-8", "surrogateescape")
            lib.pyio_error_set_oserror(errnum, name)
        else:
            try:
                message = str(exc)
            except BaseException:
                message = f"<{type(exc).__name__}: str() failed>"
            lib.pyio_error_set(kind, message.encode("utf-8", "surrogateescape"))
        # The record as the library stored it is what error() will compare.
        stored = _text(lib.pyio_error_message())
        _pending().append((exc, _state.depth, lib.pyio_error_kind(), stored))
    except BaseException:
        pass
    return -1
