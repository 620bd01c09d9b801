"""_HandleStream: the methods every library-backed class shares.

An instance owns one reference to a pyio_stream handle, `_pyio_handle`,
from construction until it is collected; close() closes the stream but keeps
the handle, so that `closed`, `mode` and the closed-file errors still come
from the library.  The last release closes a stream that is still open.

Where io's own method looks another method up on the instance (IOBase's
readline calls self.read, iteration calls self.readline, close calls
self.flush), a subclass overriding that method must see its override called.
The class records at creation which of those it overrides and takes the
pure-Python path of the abstract base for them; otherwise the library does
the work in one call.
"""

from ctypes import POINTER, byref, c_void_p, string_at

from ._args import (c_int_, c_long, optional_size, read_buffer, release, take_bytes,
                    write_buffer)
from ._errors import error, restore, save
from ._iobase import IOBase
from ._lib import PYIO_NONE, PYIO_WOULD_BLOCK, lib, pyio_slice

_READLINE_WOULD_BLOCK = "read() should have returned a bytes object, not 'NoneType'"


def _defined_by_library(cls, name):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__.get("_pyio_native", False)
    return True


def mode_of(handle):
    """The library's mode string of a stream (FileIO, SocketIO)."""
    mode = lib.pyio_mode(handle)
    if mode is None:
        raise error()
    return mode.decode("ascii")


def type_name(cls):
    """The class name as io's reprs show it: qualified for the library's own
    classes ("libpyio.FileIO"), bare for Python subclasses."""
    if cls.__dict__.get("_pyio_native", False):
        return f"{cls.__module__}.{cls.__qualname__}"
    return cls.__name__


def dealloc_warn(inner, source):
    """io's finaliser warning, passed down: the object below (a buffered
    object's raw stream, a TextIOWrapper's buffer) warns about `source`."""
    warn = getattr(inner, "_dealloc_warn", None)
    if warn is not None:
        try:
            warn(source)
        except Exception:
            pass


class _HandleStream:
    # A slot, not an instance attribute: the handle stays out of __dict__
    # (which io's classes show and BytesIO pickles).  None until a
    # constructor succeeds.
    __slots__ = ("_pyio_handle",)
    _pyio_native = True

    # Which overridable methods io's methods look up; set per class by
    # __init_subclass__ (see the module comment).
    _PYIO_READLINE_USES = ()      # what readline reads through (IOBase's: read, peek)
    _pyio_warns_unclosed = False  # FileIO: ResourceWarning when collected open
    _pyio_readline_py = False     # readline must go through the Python read/peek
    _pyio_next_py = False         # iteration and readlines through self.readline
    _pyio_flush_py = False        # close() calls self.flush
    _pyio_finalize_py = False     # the finaliser calls self.close
    # What a read's `char **out` becomes: bytes here, str for text streams.
    _pyio_result = staticmethod(take_bytes)
    # seek()'s position as the class converts it (C long; BytesIO: ssize_t).
    _pyio_offset = staticmethod(c_long)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)

        def python(*names):
            return any(not _defined_by_library(cls, n) for n in names)

        cls._pyio_readline_py = python(*cls._PYIO_READLINE_USES)
        cls._pyio_next_py = python("readline") or cls._pyio_readline_py
        cls._pyio_flush_py = python("flush")
        cls._pyio_finalize_py = python("close", "flush") or cls._pyio_warns_unclosed

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self._pyio_handle = None
        return self

    def __del__(self, _release=lib.pyio_release, _save=save, _restore=restore,
                _finalize=IOBase.__del__):
        handle = getattr(self, "_pyio_handle", None)
        if handle is None:
            return
        saved = _save()
        try:
            if self._pyio_finalize_py:
                _finalize(self)
        finally:
            self._pyio_handle = None
            _release(handle)
            _restore(saved)

    def _pyio_out(self, function):
        """The result of a `function(handle, char **out)` call that has no
        would-block case (getvalue)."""
        out = c_void_p()
        n = function(self._pyio_handle, byref(out))
        if n < 0:
            raise error()
        return self._pyio_result(out, n)

    # ---- closing ----

    @property
    def closed(self):
        handle = self._pyio_handle
        if handle is None:
            return True
        result = lib.pyio_closed(handle)
        if result < 0:
            raise error()
        return bool(result)

    def close(self):
        handle = self._pyio_handle
        if handle is None:
            return
        if self._pyio_flush_py and not self.closed:
            try:
                self.flush()
            except BaseException:
                # Closed all the same; flush's error wins over close's.
                if lib.pyio_close(handle) < 0:
                    error()
                raise
        if lib.pyio_close(handle) < 0:
            raise error()

    def flush(self):
        if lib.pyio_flush(self._pyio_handle) < 0:
            raise error()

    def _check_open(self):
        """ValueError if closed, as the library words it (readable() checks
        nothing else and touches nothing)."""
        if lib.pyio_readable(self._pyio_handle) < 0:
            raise error()

    # ---- capabilities ----

    def readable(self):
        result = lib.pyio_readable(self._pyio_handle)
        if result < 0:
            raise error()
        return bool(result)

    def writable(self):
        result = lib.pyio_writable(self._pyio_handle)
        if result < 0:
            raise error()
        return bool(result)

    def seekable(self):
        result = lib.pyio_seekable(self._pyio_handle)
        if result < 0:
            raise error()
        return bool(result)

    def isatty(self):
        result = lib.pyio_isatty(self._pyio_handle)
        if result < 0:
            raise error()
        return bool(result)

    def fileno(self):
        result = lib.pyio_fileno(self._pyio_handle)
        if result < 0:
            raise error()
        return result

    # ---- positioning ----

    def seek(self, pos, whence=0):
        result = lib.pyio_seek(self._pyio_handle, self._pyio_offset(pos), c_int_(whence))
        if result < 0:
            raise error()
        return result

    def tell(self):
        result = lib.pyio_tell(self._pyio_handle)
        if result < 0:
            raise error()
        return result

    def truncate(self, size=None):
        return self._truncate(size, c_long)

    def _truncate(self, size, convert):
        explicit_min = False
        if size is None:
            size = PYIO_NONE
        else:
            size = convert(size)
            if size == PYIO_NONE:
                # INT64_MIN is how the C API spells None; as an explicit size
                # it is merely negative, and -1 fails the same way.
                size = -1
                explicit_min = True
        result = lib.pyio_truncate(self._pyio_handle, size)
        if result < 0:
            exc = error()
            message = str(exc)
            if explicit_min and type(exc) is ValueError and message.endswith("ize value -1"):
                # "negative size value" (BytesIO), "Negative size value" (StringIO)
                exc = ValueError(f"{message[:-2]}{PYIO_NONE}")
            try:
                raise exc
            finally:
                del exc     # else exc -> traceback -> this frame -> exc: a cycle
        return result

    # ---- reading ----

    def read(self, size=-1):
        out = c_void_p()
        n = lib.pyio_read(self._pyio_handle, optional_size(size), byref(out))
        if n < 0:
            if n == PYIO_WOULD_BLOCK:
                return None
            raise error()
        return self._pyio_result(out, n)

    def readinto(self, b):
        return self._readinto(b, "readinto", lib.pyio_readinto)

    def _readinto(self, b, method, function, argument="argument"):
        view = write_buffer(b, method, argument)
        try:
            n = function(self._pyio_handle, view.buf, view.len)
        finally:
            release(view)
        if n < 0:
            if n == PYIO_WOULD_BLOCK:
                return None
            raise error()
        return n

    def readline(self, size=-1):
        if self._pyio_readline_py:
            return IOBase.readline(self, size)
        return self._readline(optional_size(size))

    def _readline(self, limit):
        out = c_void_p()
        n = lib.pyio_readline(self._pyio_handle, limit, byref(out))
        if n < 0:
            if n == PYIO_WOULD_BLOCK:
                # io's readline finds None where read(1) should give bytes.
                raise OSError(_READLINE_WOULD_BLOCK)
            raise error()
        return self._pyio_result(out, n)

    def __next__(self):
        line = self.readline() if self._pyio_next_py else self._readline(-1)
        if not line:
            raise StopIteration
        return line

    def readlines(self, hint=None):
        if self._pyio_next_py:
            return IOBase.readlines(self, hint)
        return self._readlines(optional_size(hint, none=-1))

    def _readlines(self, hint):
        lines = POINTER(pyio_slice)()
        n = lib.pyio_readlines(self._pyio_handle, hint, byref(lines))
        if n < 0:
            raise error()
        try:
            return [string_at(lines[i].data, lines[i].size) for i in range(n)]
        finally:
            lib.pyio_free(lines)

    # ---- writing ----

    def write(self, b):
        if type(b) is bytes:
            n = lib.pyio_write(self._pyio_handle, b, len(b))
        else:
            view = read_buffer(b)
            try:
                n = lib.pyio_write(self._pyio_handle, view.buf, view.len)
            finally:
                release(view)
        if n < 0:
            if n == PYIO_WOULD_BLOCK:
                return None
            raise error()
        return n


class _RawHandleStream(_HandleStream):
    """What raw streams add: readall()."""

    __slots__ = ()
    _pyio_native = True
    _PYIO_READLINE_USES = ("read", "peek")

    def readall(self):
        out = c_void_p()
        n = lib.pyio_readall(self._pyio_handle, byref(out))
        if n < 0:
            if n == PYIO_WOULD_BLOCK:
                return None
            raise error()
        return take_bytes(out, n)
