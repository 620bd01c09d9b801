"""IncrementalNewlineDecoder and text_encoding.

The library's newline decoder made without an encoding takes text (UTF-8)
and does only the newline work: holding back a final '\\r', translating,
recording which newlines it saw.  That is all io's IncrementalNewlineDecoder
adds to the decoder it wraps, so the Python class is that C object behind
any Python decoder: the decoder's decode() output goes through it, and the
decoder's state is combined with the C object's pending-'\\r' bit as io
combines them (flag << 1 | pendingcr).  With decoder None the input itself
must be a str, as in io.
"""

import sys
import warnings
from ctypes import byref, c_int64, c_uint64, c_void_p

from ._args import c_int_, take_text, utf8
from ._errors import error
from ._lib import lib
from ._text import _newlines

_U64 = 2 ** 64 - 1


def _state_flag(state, message):
    """The (buffer, flag) of a decoder state as CPython's "OK" format reads
    it: a 2-tuple whose flag is an int, taken modulo 2**64."""
    if not isinstance(state, tuple) or len(state) != 2 or not isinstance(state[1], int):
        raise TypeError(message)
    return state[0], state[1] & _U64


class IncrementalNewlineDecoder:
    """io.IncrementalNewlineDecoder(decoder, translate, errors='strict'):
    wraps `decoder` (None, or an object with decode/getstate/setstate/reset)
    and translates '\\r\\n' and '\\r' to '\\n' when `translate` is true."""

    __slots__ = ("_pyio_decoder", "_pyio_inner")

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        self._pyio_decoder = None
        self._pyio_inner = None
        return self

    def __init__(self, decoder, translate, errors="strict"):
        translate = c_int_(translate)
        handle = lib.pyio_newline_decoder_new(None, None, 1 if translate else 0)
        if not handle:
            raise error()
        self._pyio_free()
        self._pyio_inner = handle
        self._pyio_decoder = decoder

    def __del__(self):
        self._pyio_free()

    def _pyio_free(self, _free=lib.pyio_newline_decoder_free):
        handle, self._pyio_inner = self._pyio_inner, None
        if handle:
            _free(handle)

    def _handle(self):
        if not self._pyio_inner:
            raise ValueError("IncrementalNewlineDecoder.__init__() not called")
        return self._pyio_inner

    def decode(self, input, final=False):
        handle = self._handle()
        final = c_int_(final)
        decoder = self._pyio_decoder
        output = input if decoder is None else decoder.decode(input, bool(final))
        if not isinstance(output, str):
            raise TypeError("decoder should return a string result, "
                            f"not '{type(output).__name__}'")
        data = utf8(output)
        out = c_void_p()
        n = lib.pyio_newline_decoder_decode(handle, data, len(data), 1 if final else 0,
                                            byref(out))
        if n < 0:
            raise error()
        return take_text(out, n)

    def _pendingcr(self, handle):
        pending, size, flags = c_void_p(), c_int64(), c_uint64()
        if lib.pyio_newline_decoder_getstate(handle, byref(pending), byref(size),
                                             byref(flags)) < 0:
            raise error()
        lib.pyio_free(pending)      # always empty: the input is text
        return flags.value & 1

    def getstate(self):
        handle = self._handle()
        buffer, flag = b"", 0
        if self._pyio_decoder is not None:
            buffer, flag = _state_flag(self._pyio_decoder.getstate(), "illegal decoder state")
        return buffer, (flag << 1 & _U64) | self._pendingcr(handle)

    def setstate(self, state):
        handle = self._handle()
        if not isinstance(state, tuple):
            raise TypeError("state argument must be a tuple")
        buffer, flag = _state_flag(state, "setstate(): illegal state argument")
        if lib.pyio_newline_decoder_setstate(handle, None, 0, flag & 1) < 0:
            raise error()
        if self._pyio_decoder is not None:
            self._pyio_decoder.setstate((buffer, flag >> 1))

    def reset(self):
        if lib.pyio_newline_decoder_reset(self._handle()) < 0:
            raise error()
        if self._pyio_decoder is not None:
            self._pyio_decoder.reset()

    @property
    def newlines(self):
        return _newlines(lib.pyio_newline_decoder_newlines(self._handle()))


IncrementalNewlineDecoder.__module__ = "libpyio"


def text_encoding(encoding, stacklevel=2, /):
    """io.text_encoding as the library has it: None is "utf-8", the
    library's default whatever the locale (PEP 686), where CPython 3.11's
    says "locale" (outside UTF-8 mode).  Like io's, it warns EncodingWarning
    for None under -X warn_default_encoding."""
    stacklevel = c_int_(stacklevel)
    if encoding is not None:
        return encoding
    if sys.flags.warn_default_encoding:
        warnings.warn("'encoding' argument not specified", EncodingWarning, stacklevel + 1)
    return "utf-8"
