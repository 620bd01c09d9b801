"""open(): io.open over the library's pyio_open / pyio_open_fd.

The library checks the mode and arguments, opens the FileIO and wraps it in
the buffered class io would choose, and that in a TextIOWrapper for text
modes (line-buffered for buffering=1 and terminals).  What stays here is what C cannot do:
converting Python's arguments as io's argument parsing does, the
RuntimeWarning for buffering=1 in binary mode, Python openers, and the
Python objects for the streams it returns (the FileIO is named by the file
as io names it: the object passed, or os.fspath() of a path-like one).

The default text encoding is the library's, UTF-8 (PEP 686), where CPython
3.11 asks the locale.
"""

import operator
import os
import warnings

from ._args import c_int_, optional_text, type_name
from ._buffered import BufferedRandom, BufferedReader, BufferedWriter
from ._errors import error
from ._fileio import FileIO, _opener_address, _opener_keys, _openers
from ._lib import (CLASS_BUFFEREDRANDOM, CLASS_BUFFEREDWRITER, CLASS_FILEIO,
                   CLASS_TEXTIOWRAPPER, INT_MAX, INT_MIN, lib)
from ._text import TextIOWrapper

_LINE_BUFFERING_WARNING = ("line buffering (buffering=1) isn't supported in binary mode, "
                           "the default buffer size will be used")

# What FileIO (not open's own checks) says first about a descriptor of -1.
_FILEIO_REACHED = "negative file descriptor"


def _is_number(obj):
    """PyNumber_Check: io.open takes such a `file` as it is (a descriptor,
    or FileIO's error), without os.fspath()."""
    cls = type(obj)
    return (hasattr(cls, "__index__") or hasattr(cls, "__int__") or hasattr(cls, "__float__")
            or isinstance(obj, complex))


def _checks_pass(mode, buffering, texts, closefd):
    """Runs the library's own checks of open()'s arguments, and nothing
    else: over a descriptor of -1 the open gets no further than FileIO's
    "negative file descriptor".  Returns True when they pass; raises their
    error when they do not."""
    handle = lib.pyio_open_fd(-1, mode, buffering, *texts, closefd)
    if handle:                              # cannot happen: -1 is never open
        lib.pyio_close(handle)
        lib.pyio_release(handle)
        return True
    exc = error()
    if type(exc) is ValueError and str(exc) == _FILEIO_REACHED:
        return True
    try:
        raise exc
    finally:
        del exc     # no cycle through this frame


def open(file, mode="r", buffering=-1, encoding=None, errors=None, newline=None,
         closefd=True, opener=None):
    """Opens `file` and returns a stream, as io.open: for binary modes a
    FileIO (buffering=0), else a BufferedReader, BufferedWriter or
    BufferedRandom over one; for text modes a TextIOWrapper over that."""
    # io's argument parsing, in the order of the parameters.
    if not isinstance(mode, str):
        raise TypeError(f"open() argument 'mode' must be str, not {type_name(mode)}")
    if "\0" in mode:
        raise ValueError("embedded null character")
    buffering = c_int_(buffering)
    texts = tuple(optional_text(value, "open", name) for name, value in
                  (("encoding", encoding), ("errors", errors), ("newline", newline)))
    closefd = 1 if c_int_(closefd) else 0
    raw_mode = mode.encode("utf-8", "surrogatepass")

    # The file: a number as it is, anything else through os.fspath().
    if _is_number(file):
        name = file
        try:
            fd = operator.index(file)
        except Exception:
            fd = None
        if fd is not None and not INT_MIN <= fd <= INT_MAX:
            fd = None
        path = None
    else:
        name = os.fspath(file)
        fd = None
        path = os.fsencode(name)
        if b"\0" in path:
            path = None

    if fd is None and path is None:
        # A number that is no descriptor, a path with a NUL: C cannot be
        # given either, and FileIO refuses them after open's own checks.
        if _checks_pass(raw_mode, buffering, texts, closefd):
            if buffering == 1 and "b" in mode:
                warnings.warn(_LINE_BUFFERING_WARNING, RuntimeWarning, stacklevel=2)
            file_mode = "".join(c for c in "xrwa+" if c in mode)
            FileIO(name, file_mode, closefd, opener).close()   # raises what io's FileIO raises
        raise AssertionError(f"FileIO accepted {name!r}")      # not reached

    if buffering == 1 and "b" in mode and _checks_pass(raw_mode, buffering, texts, closefd):
        # Warned where io warns: after its argument checks, before opening.
        warnings.warn(_LINE_BUFFERING_WARNING, RuntimeWarning, stacklevel=2)

    if fd is not None:
        handle = lib.pyio_open_fd(fd, raw_mode, buffering, *texts, closefd)
    elif opener is None:
        handle = lib.pyio_open(path, raw_mode, buffering, *texts, closefd, None, None)
    else:
        key = next(_opener_keys)
        _openers[key] = (opener, name)
        try:
            handle = lib.pyio_open(path, raw_mode, buffering, *texts, closefd,
                                   _opener_address, key)
        finally:
            del _openers[key]
    if not handle:
        raise error(filename=name)
    return _wrap(handle, name, mode)


def _inner(handle, function):
    """The stream below `handle` (a new reference); on failure `handle` is
    closed and released and the error raised."""
    inner = function(handle)
    if not inner:
        exc = error()
        lib.pyio_close(handle)
        lib.pyio_release(handle)
        try:
            raise exc
        finally:
            del exc     # no cycle through this frame
    return inner


def _wrap(handle, name, mode):
    """The Python objects for what pyio_open returned (its reference is
    taken over): the FileIO, the buffered object over one, or the
    TextIOWrapper over that, whose `mode` is the mode passed, as io's."""
    if lib.pyio_isinstance(handle, CLASS_FILEIO) == 1:
        return FileIO._pyio_wrap(handle, name)
    if lib.pyio_isinstance(handle, CLASS_TEXTIOWRAPPER) == 1:
        buffer = _wrap(_inner(handle, lib.pyio_text_buffer), name, mode)
        return TextIOWrapper._pyio_wrap(handle, buffer, mode)
    raw = FileIO._pyio_wrap(_inner(handle, lib.pyio_raw), name)
    if lib.pyio_isinstance(handle, CLASS_BUFFEREDRANDOM) == 1:
        cls = BufferedRandom
    elif lib.pyio_isinstance(handle, CLASS_BUFFEREDWRITER) == 1:
        cls = BufferedWriter
    else:
        cls = BufferedReader
    return cls._pyio_wrap(handle, raw)
