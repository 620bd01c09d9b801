"""libpyio: Python's io stack from libpyio.so, as a drop-in for the io module.

The abstract bases, FileIO, BytesIO, the Buffered* classes, TextIOWrapper,
StringIO, IncrementalNewlineDecoder, text_encoding and open() in every mode;
and SocketIO, socket.SocketIO's counterpart (not an io name).  open_code is
not here.  The default text encoding is UTF-8 whatever the locale (PEP 686):
text_encoding(None) is "utf-8" where CPython 3.11 says "locale".

The library is the one named by the environment variable LIBPYIO, else the
repository's build tree, else the system's (see _lib).
"""

import io as _io

from ._buffered import BufferedRandom, BufferedReader, BufferedRWPair, BufferedWriter
from ._bytesio import BytesIO
from ._callback import _raw_handle
from ._fileio import FileIO
from ._iobase import BufferedIOBase, IOBase, RawIOBase, TextIOBase
from ._lib import DEFAULT_BUFFER_SIZE, SEEK_CUR, SEEK_END, SEEK_SET
from ._lib import PATH as _library_path
from ._lib import VERSION as __version__
from ._newline import IncrementalNewlineDecoder, text_encoding
from ._open import open
from ._socketio import SocketIO
from ._text import StringIO, TextIOWrapper

UnsupportedOperation = _io.UnsupportedOperation
BlockingIOError = BlockingIOError

__all__ = [
    "BlockingIOError", "BufferedIOBase", "BufferedRWPair", "BufferedRandom", "BufferedReader",
    "BufferedWriter", "BytesIO", "DEFAULT_BUFFER_SIZE", "FileIO", "IOBase",
    "IncrementalNewlineDecoder", "RawIOBase", "SEEK_CUR", "SEEK_END", "SEEK_SET", "StringIO",
    "TextIOBase", "TextIOWrapper", "UnsupportedOperation", "open", "text_encoding",
]

# So that isinstance(f, io.RawIOBase) and friends hold for these streams too.
_io.RawIOBase.register(RawIOBase)
_io.BufferedIOBase.register(BufferedIOBase)
_io.TextIOBase.register(TextIOBase)
