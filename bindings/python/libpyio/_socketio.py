"""SocketIO: socket.SocketIO over the library's pyio_socketio_new.

The raw stream socket.makefile() buffers: one recv() or send() per call, not
seekable, None when a non-blocking socket has nothing to give or take.  As
Python's, it takes a socket object and leaves it open when closed (the
socket's own close(), if it came first, is then completed).
"""

from io import UnsupportedOperation

from ._args import c_ssize
from ._errors import error
from ._handle import _RawHandleStream, mode_of
from ._iobase import IOBase, RawIOBase
from ._lib import lib

_MODES = ("r", "w", "rw", "rb", "wb", "rwb")


class SocketIO(_RawHandleStream, RawIOBase):
    """socket.SocketIO(sock, mode): a raw stream over a connected socket."""

    _pyio_native = True

    def __init__(self, sock, mode):
        if mode not in _MODES:
            raise ValueError(f"invalid mode: {mode!r}")
        handle = lib.pyio_socketio_new(sock.fileno(), mode.encode("ascii"), 0)
        if not handle:
            raise error()
        self._pyio_handle = handle
        self._sock = sock

    def close(self):
        if self.closed:
            return
        super().close()
        sock, self._sock = self._sock, None
        sock._decref_socketios()

    # Python's SocketIO is a Python class over io.RawIOBase: what it does not
    # define is io's (seek, tell and truncate refuse whatever the arguments;
    # read converts its size first), and what it defines checks closed and
    # the capability before it looks at its argument.

    seek = IOBase.seek
    tell = IOBase.tell
    truncate = IOBase.truncate

    def read(self, size=-1):
        return super().read(c_ssize(size))

    def _check(self, capable, message):
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if not capable():
            raise UnsupportedOperation(message)

    def readinto(self, b):
        self._check(self.readable, "File or stream is not readable.")
        # The buffer goes to sock.recv_into(), which names it so.
        return self._readinto(b, "recv_into", lib.pyio_readinto, "argument 1")

    def write(self, b):
        self._check(self.writable, "File or stream is not writable.")
        return super().write(b)

    @property
    def name(self):
        fd = lib.pyio_fileno(self._pyio_handle)
        return -1 if fd < 0 else fd

    @property
    def mode(self):
        return mode_of(self._pyio_handle)


SocketIO.__module__ = "libpyio"
