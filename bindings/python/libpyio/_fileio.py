"""FileIO: io.FileIO over the library's pyio_fileio_open / pyio_fileio_fdopen."""

import ctypes
import functools
import itertools
import operator
import os
import threading
import warnings

from io import UnsupportedOperation

from ._args import c_int_, c_long, type_name as arg_type_name
from ._errors import enter_callback, error, leave_callback, record_failure
from ._handle import _RawHandleStream, mode_of, type_name
from ._iobase import RawIOBase
from ._lib import DEFAULT_BUFFER_SIZE, INT_MAX, INT_MIN, OPENER_FN, lib

# Openers in flight, by the key passed to the C opener as its argument.
_openers = {}
_opener_keys = itertools.count(1)


def _call_opener(path, flags, key):
    enter_callback()
    try:
        opener, name = _openers[key]
        fd = opener(name, flags)
        if not isinstance(fd, int):
            raise TypeError("expected integer from opener")
        if not INT_MIN <= fd <= INT_MAX:
            raise OverflowError("Python int too large to convert to C int")
        if fd < 0:
            # No record: the library then says "opener returned N", as io does.
            lib.pyio_error_clear()
        return fd
    except BaseException as exc:
        return record_failure(exc)
    finally:
        leave_callback()


_opener_thunk = OPENER_FN(_call_opener)
# The thunk must outlive every C call that may use it, interpreter shutdown
# included: it is never freed.
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_opener_thunk))
_opener_address = ctypes.cast(_opener_thunk, ctypes.c_void_p).value

_repr_running = threading.local()


class FileIO(_RawHandleStream, RawIOBase):
    """Raw I/O on a file descriptor, as io.FileIO.

    `file` is a path (str, bytes or os.PathLike) or a descriptor (an int);
    `name` keeps it as given.  `mode` is one of r, w, x, a with an optional
    '+' ('b' is implied); `opener(name, flags)` returns the descriptor to use.
    """

    _pyio_native = True
    _pyio_warns_unclosed = True
    _finalizing = False

    def __init__(self, file, mode="r", closefd=True, opener=None):
        if not isinstance(mode, str):
            raise TypeError(f"FileIO() argument 'mode' must be str, not {arg_type_name(mode)}")
        if "\0" in mode:
            raise ValueError("embedded null character")
        closefd = c_int_(closefd)
        raw_mode = mode.encode("utf-8", "surrogatepass")

        if self._pyio_handle is not None:
            # __init__ again: io lets go of the descriptor it held first.
            old, self._pyio_handle = self._pyio_handle, None
            failed = lib.pyio_close(old) < 0
            exc = error() if failed else None
            lib.pyio_release(old)
            if exc is not None:
                try:
                    raise exc
                finally:
                    del exc     # no cycle through this frame

        # Anything that is an int in C is a descriptor; io falls back to a
        # path for the rest (so a float or an fd out of range is a TypeError).
        try:
            fd = operator.index(file)
        except Exception:
            fd = None
        if fd is not None and not INT_MIN <= fd <= INT_MAX:
            fd = None
        if fd is not None:
            handle = lib.pyio_fileio_fdopen(fd, raw_mode, closefd)
        else:
            path = os.fsencode(file)
            if b"\0" in path:
                raise ValueError("embedded null byte")
            if opener is None:
                handle = lib.pyio_fileio_open(path, raw_mode, closefd, None, None)
            else:
                key = next(_opener_keys)
                _openers[key] = (opener, file)
                try:
                    handle = lib.pyio_fileio_open(path, raw_mode, closefd, _opener_address, key)
                finally:
                    del _openers[key]
        if not handle:
            raise error(filename=file)
        self._pyio_handle = handle
        self.name = file

    @classmethod
    def _pyio_wrap(cls, handle, name):
        """A FileIO for a handle the library opened (open()), named `name`.
        Takes over the reference."""
        self = cls.__new__(cls)
        self._pyio_handle = handle
        self.name = name
        return self

    @property
    def mode(self):
        return mode_of(self._pyio_handle)

    @property
    def closefd(self):
        result = lib.pyio_closefd(self._pyio_handle)
        if result < 0:
            raise error()
        return bool(result)

    @functools.cached_property
    def _blksize(self):
        try:
            size = os.fstat(self.fileno()).st_blksize
        except (OSError, ValueError):
            return DEFAULT_BUFFER_SIZE
        return size if size > 1 else DEFAULT_BUFFER_SIZE

    # io's FileIO checks the stream before it converts these arguments; the
    # library gets them converted, so the checks are repeated only when a
    # conversion fails.

    def seek(self, pos, whence=0):
        whence = c_int_(whence)
        try:
            pos = c_long(pos)
        except (TypeError, OverflowError):
            self._check_open()
            raise
        return super().seek(pos, whence)

    def truncate(self, size=None):
        try:
            return self._truncate(size, c_long)
        except (TypeError, OverflowError):
            if not self.writable():          # ValueError when closed
                raise UnsupportedOperation("File not open for writing") from None
            raise

    def close(self):
        if self._finalizing:
            self._dealloc_warn(self)
        super().close()

    def _dealloc_warn(self, source):
        if not self.closed and self.closefd:
            warnings.warn(f"unclosed file {source!r}", ResourceWarning, stacklevel=2,
                          source=source)

    def __repr__(self):
        name = type_name(type(self))
        if self.closed:
            return f"<{name} [closed]>"
        running = _repr_running.__dict__.setdefault("ids", set())
        if id(self) in running:
            raise RuntimeError(f"reentrant call inside {name}.__repr__")
        running.add(id(self))
        try:
            try:
                file = self.name
            except AttributeError:
                return f"<{name} fd={self.fileno()} mode={self.mode!r} closefd={self.closefd!r}>"
            return f"<{name} name={file!r} mode={self.mode!r} closefd={self.closefd!r}>"
        finally:
            running.discard(id(self))

    def __reduce_ex__(self, protocol):
        raise TypeError(f"cannot pickle {type_name(type(self))!r} object")


FileIO.__module__ = "libpyio"
