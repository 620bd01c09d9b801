"""TextIOWrapper and StringIO: io's text streams over the library's text layer.

Text crosses the C API as generalized UTF-8 with byte lengths: a str goes in
encoded with 'surrogatepass' and comes back decoded the same way, so lone
surrogates (what surrogateescape makes of undecodable bytes) round-trip.
Counts and limits are in characters on both sides.

A TextIOWrapper keeps the Python object it wraps (`buffer`); the library
reaches it directly when it is one of the library's own streams and through
callbacks otherwise (_callback), as the buffered classes reach their raw
object.  Where io asks the buffer itself (closed, name, truncate) the object
is asked here too.  tell() and seek() carry io's int cookie, packed from and
unpacked into the C struct pyio_text_cookie field for field.
"""

import operator
from ctypes import byref, c_char_p, c_void_p

from io import UnsupportedOperation

from ._args import (c_int_, c_long, c_ssize, optional_size, optional_text, take_text,
                    text_or_none, type_name, utf8)
from ._callback import _raw_handle
from ._errors import error, forget_stale
from ._handle import _HandleStream, dealloc_warn
from ._handle import type_name as class_name
from ._iobase import IOBase, TextIOBase
from ._lib import NEWLINE_CR, NEWLINE_CRLF, NEWLINE_LF, lib, pyio_text_cookie

_DETACHED = "underlying buffer has been detached"

# ---- cookies: io's int <-> pyio_text_cookie ---------------------------------

_U64 = 2 ** 64 - 1
_U32 = 2 ** 32 - 1
# CPython parses a cookie into 21 bytes: the 8-byte position, three C ints
# and a char.
_COOKIE_LIMIT = 2 ** 168


def _pack(cookie):
    """The int io's tell() returns for a struct (start_pos as unsigned, as
    CPython builds the int from the struct's bytes)."""
    return ((cookie.start_pos & _U64) | cookie.dec_flags << 64 | cookie.bytes_to_feed << 96
            | cookie.chars_to_skip << 128 | cookie.need_eof << 160)


def _unpack(value):
    """The struct for an int in [0, 2**168); the fields wrap as CPython's
    memcpy into a signed position and C ints does."""
    start = value & _U64
    return pyio_text_cookie(start - 2 ** 64 if start >> 63 else start, value >> 64 & _U32,
                            value >> 96 & _U32, value >> 128 & _U32, value >> 160 & 0xFF)


def _newlines(bits):
    """The newlines attribute for pyio_text_newlines' bits."""
    if bits < 0:
        raise error()
    seen = tuple(nl for nl, bit in (("\r", NEWLINE_CR), ("\n", NEWLINE_LF),
                                    ("\r\n", NEWLINE_CRLF)) if bits & bit)
    if not seen:
        return None
    return seen[0] if len(seen) == 1 else seen


def _name_attribute(function, handle):
    """encoding / errors: a str, or None."""
    name = c_char_p()
    if function(handle, byref(name)) < 0:
        raise error()
    return None if name.value is None else name.value.decode("utf-8", "surrogateescape")


class _TextStream(_HandleStream, TextIOBase):
    """What TextIOWrapper and StringIO share: text in and out of the handle."""

    __slots__ = ()
    _pyio_native = True

    _pyio_result = staticmethod(take_text)

    def __next__(self):
        if self._pyio_next_py:
            # io's iteration of a subclass goes through its readline().
            line = self.readline()
            if not isinstance(line, str):
                raise OSError("readline() should have returned a str object, "
                              f"not '{type(line).__name__}'")
        else:
            out = c_void_p()
            n = lib.pyio_next(self._pyio_handle, byref(out))
            if n < 0:
                raise error()
            line = take_text(out, n)
        if not line:
            raise StopIteration
        return line

    # io's readlines iterates (so it disables tell() as next() does).
    readlines = IOBase.readlines
    writelines = IOBase.writelines

    # How io's class converts readline's size, and words a write of a non-str.
    _pyio_line_limit = staticmethod(optional_size)
    _pyio_not_text = None

    def readline(self, size=-1):
        return self._readline(self._pyio_line_limit(size))

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(self._pyio_not_text(s))
        data = utf8(s)
        n = lib.pyio_write(self._pyio_handle, data, len(data))
        if n < 0:
            raise error()
        return n

    @property
    def newlines(self):
        return _newlines(lib.pyio_text_newlines(self._pyio_handle))

    @property
    def line_buffering(self):
        return self._flag(lib.pyio_text_line_buffering)

    def _flag(self, function):
        result = function(self._pyio_handle)
        if result < 0:
            raise error()
        return bool(result)

    def detach(self):
        raise UnsupportedOperation("detach")


class TextIOWrapper(_TextStream):
    """A text stream over a binary one (`buffer`), as io.TextIOWrapper.
    The default encoding is UTF-8 whatever the locale (PEP 686)."""

    # Instances have a __dict__ (IOBase's), as io's: open() sets `mode` there.
    _pyio_native = True
    _pyio_warns_unclosed = True
    _PYIO_READLINE_USES = ()

    # [the buffer object, its _RawHandle] and the finaliser's flag: slots,
    # so that vars(wrapper) holds only what io's would.
    __slots__ = ("__state", "_finalizing")

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self.__state = [None, None]
        self._finalizing = False
        return self

    def __init__(self, buffer, encoding=None, errors=None, newline=None, line_buffering=False,
                 write_through=False):
        texts = [optional_text(value, "TextIOWrapper", name) for name, value in
                 (("encoding", encoding), ("errors", errors), ("newline", newline))]
        flags = [1 if c_int_(flag) else 0 for flag in (line_buffering, write_through)]
        self._pyio_let_go()
        stream = _raw_handle(buffer)
        handle = lib.pyio_textiowrapper_new(stream._pyio_handle, *texts, *flags)
        if not handle:
            _disown(stream)
            raise error()
        forget_stale()
        try:
            # io asks these of the buffer after its argument checks.
            for method in ("readable", "writable", "seekable"):
                getattr(buffer, method)
        except AttributeError:
            _disown(stream)
            lib.pyio_release(handle)
            raise
        self._pyio_handle = handle
        self.__state[:] = [buffer, stream]

    @classmethod
    def _pyio_wrap(cls, handle, buffer, mode):
        """The object for a wrapper open() made over `buffer` (the Python
        object of its buffered stream).  Takes over the reference."""
        self = cls.__new__(cls)
        self._pyio_handle = handle
        self.__state[0] = buffer
        self.mode = mode
        return self

    def _pyio_let_go(self):
        """__init__ again: the previous buffer is let go of as by detach()."""
        handle = self._pyio_handle
        if handle is None:
            return
        stream = self.__state[1]
        self._pyio_handle = None
        self.__state[:] = [None, None]
        old = lib.pyio_detach(handle)
        if old:
            lib.pyio_release(old)
        else:
            error()             # a failed flush, forgotten as io forgets it
        lib.pyio_release(handle)
        _disown(stream)

    def _attached(self):
        """The buffer object; io's ValueError once detached."""
        buffer = self.__state[0]
        if buffer is None:
            if self._pyio_handle is None:
                raise ValueError("I/O operation on uninitialized object")
            raise ValueError(_DETACHED)
        return buffer

    # ---- what io asks the buffer ----

    @property
    def buffer(self):
        return self.__state[0]

    @property
    def closed(self):
        return self._attached().closed

    @property
    def name(self):
        return self._attached().name

    def _dealloc_warn(self, source):
        dealloc_warn(self.__state[0], source)

    # ---- closing and detaching ----

    def close(self):
        if self._attached().closed:
            return
        if self._finalizing:
            self._dealloc_warn(self)
        _HandleStream.close(self)

    def detach(self):
        self._attached()
        self.flush()            # io's detach calls self.flush()
        handle = lib.pyio_detach(self._pyio_handle)
        if not handle:
            raise error()
        lib.pyio_release(handle)
        buffer, stream = self.__state
        self.__state[:] = [None, None]
        _disown(stream)
        return buffer

    # ---- reading and writing ----

    _pyio_line_limit = staticmethod(c_ssize)

    @staticmethod
    def _pyio_not_text(s):
        return f"write() argument must be str, not {type_name(s)}"

    # ---- positioning ----

    def tell(self):
        cookie = pyio_text_cookie()
        if lib.pyio_text_tell(self._pyio_handle, byref(cookie)) < 0:
            raise error()
        return _pack(cookie)

    def seek(self, cookie, whence=0):
        whence = c_int_(whence)
        if type(cookie) is int and 0 <= cookie < _COOKIE_LIMIT and not cookie >> 63 & 1:
            result = self._seek(_unpack(cookie), whence)
            return cookie if whence == 0 else result
        # io's order: closed, seekable and whence first (the library's checks
        # with a cookie that no whence other than 0 takes, and no effect).
        self._seek(_unpack(1), 1 if whence == 0 else whence, probe=True)
        if whence != 0:
            if cookie != 0:
                direction = "cur" if whence == 1 else "end"
                raise UnsupportedOperation(f"can't do nonzero {direction}-relative seeks")
            return self._seek(_unpack(0), whence)
        if cookie < 0:
            raise ValueError(f"negative seek position {cookie!r}")
        self.flush()
        value = int(cookie)
        if not 0 <= value < _COOKIE_LIMIT:
            raise OverflowError("int too big to convert")
        if value >> 63 & 1:
            # io unpacks the position as a signed 64-bit value and hands the
            # negative result to the buffer, whose refusal is the answer.
            self.buffer.seek((value & (2 ** 64 - 1)) - 2 ** 64)
        self._seek(_unpack(value), 0)
        return cookie

    def _seek(self, cookie, whence, probe=False):
        result = pyio_text_cookie()
        if lib.pyio_text_seek(self._pyio_handle, byref(cookie), whence, byref(result)) == 0:
            return _pack(result)
        exc = error()
        if probe and str(exc).startswith("can't do nonzero "):
            return None
        try:
            raise exc
        finally:
            del exc     # no cycle through this frame

    def truncate(self, pos=None):
        # io's: flush, then the buffer's own truncate with `pos` as given.
        self._attached()
        self.flush()
        return self.__state[0].truncate(pos)

    # ---- attributes ----

    @property
    def encoding(self):
        return _name_attribute(lib.pyio_text_encoding, self._pyio_handle)

    @property
    def errors(self):
        return _name_attribute(lib.pyio_text_errors, self._pyio_handle)

    @property
    def write_through(self):
        return self._flag(lib.pyio_text_write_through)

    @property
    def newlines(self):
        self._attached()    # the library answers None once detached; io refuses
        return _TextStream.newlines.fget(self)

    @property
    def _CHUNK_SIZE(self):
        self._attached()    # the library answers once detached; io refuses
        size = lib.pyio_text_chunk_size(self._pyio_handle)
        if size < 0:
            raise error()
        return size

    @_CHUNK_SIZE.setter
    def _CHUNK_SIZE(self, size):
        self._attached()
        value = operator.index(size)
        if not -2 ** 63 <= value < 2 ** 63:
            raise ValueError(f"cannot fit '{type(size).__name__}' into an index-sized integer")
        if lib.pyio_text_set_chunk_size(self._pyio_handle, value) < 0:
            raise error()

    @_CHUNK_SIZE.deleter
    def _CHUNK_SIZE(self):
        raise AttributeError("cannot delete attribute")

    def reconfigure(self, *, encoding=None, errors=None, newline=Ellipsis,
                    line_buffering=None, write_through=None):
        # io reads these as C strings: a NUL ends them.
        texts = [text_or_none(value, "reconfigure", name) for name, value in
                 (("encoding", encoding), ("errors", errors),
                  ("newline", None if newline is Ellipsis else newline))]
        texts = [None if value is None else value.split("\0")[0] for value in texts]
        try:
            flags = [-1 if flag is None else 1 if c_long(flag) else 0
                     for flag in (line_buffering, write_through)]
        except (TypeError, OverflowError):
            self._pyio_check_reconfigure(encoding, errors, newline, texts[2])
            raise
        texts = [None if value is None else utf8(value) for value in texts]
        if lib.pyio_text_reconfigure(self._pyio_handle, texts[0], texts[1],
                                     0 if newline is Ellipsis else 1, texts[2], *flags) < 0:
            raise error()

    def _pyio_check_reconfigure(self, encoding, errors, newline, text):
        """What io checks before it converts line_buffering and
        write_through: a new encoding, errors or newline while decoded text
        is pending, then the newline's value."""
        if encoding is not None or errors is not None or newline is not Ellipsis:
            # The library refuses an (invalid) newline after the first read
            # before it looks at the value, and changes nothing either way.
            if lib.pyio_text_reconfigure(self._pyio_handle, None, None, 1, b"?", -1, -1) < 0:
                exc = error()
                if isinstance(exc, UnsupportedOperation):
                    try:
                        raise exc
                    finally:
                        del exc
        if text not in (None, "", "\n", "\r", "\r\n"):
            raise ValueError(f"illegal newline value: {text}")

    def __repr__(self):
        parts = [f"<{class_name(type(self))}"]
        for attribute in ("name", "mode"):
            try:
                value = getattr(self, attribute)
            except (AttributeError, ValueError):
                continue
            parts.append(f" {attribute}={value!r}")
        parts.append(f" encoding={self.encoding!r}>")
        return "".join(parts)

    def __reduce_ex__(self, protocol):
        raise TypeError(f"cannot pickle {class_name(type(self))!r} object")


def _disown(stream):
    disown = getattr(stream, "_pyio_disown", None)
    if disown is not None:
        disown()


class StringIO(_TextStream):
    """A text stream in memory, as io.StringIO."""

    __slots__ = ()
    _pyio_native = True
    _PYIO_READLINE_USES = ()

    def __init__(self, initial_value="", newline="\n"):
        if newline is not None and not isinstance(newline, str):
            raise TypeError(f"newline must be str or None, not {type_name(newline)}")
        newline = None if newline is None else utf8(newline)
        text = initial_value is None or isinstance(initial_value, str)
        data = utf8(initial_value or "") if text else b""
        handle = lib.pyio_stringio_new(data, len(data), newline)
        if not handle:
            raise error()
        if not text:
            # Refused after the newline, as io does.
            lib.pyio_release(handle)
            raise TypeError(f"initial_value must be str or None, not {type_name(initial_value)}")
        old, self._pyio_handle = self._pyio_handle, handle
        if old is not None:
            lib.pyio_release(old)

    def getvalue(self):
        return self._pyio_out(lib.pyio_getvalue)

    _pyio_offset = staticmethod(c_ssize)

    @staticmethod
    def _pyio_not_text(s):
        return f"string argument expected, got '{type(s).__name__}'"

    def truncate(self, pos=None):
        return self._truncate(pos, optional_size)

    def __reduce_ex__(self, protocol):
        # io pickles (value, newline, position, __dict__) and restores the
        # value untranslated; the C API has no way to set contents verbatim.
        raise TypeError(f"cannot pickle {class_name(type(self))!r} object")


for _cls in (TextIOWrapper, StringIO):
    _cls.__module__ = "libpyio"
