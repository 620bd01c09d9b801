"""IOBase, RawIOBase, BufferedIOBase and TextIOBase for Python subclasses.

These are the default methods of PEP 3116's abstract classes, written after
_pyio but behaving as the C io module does where the two differ: io's
RawIOBase.readinto/write raise NotImplementedError, io's unsupported
operations name only the method ("seek"), io's readlines stops once the total
exceeds the hint, io's readline insists on bytes from read().

The classes backed by the library (FileIO, BytesIO) derive from these, so
isinstance and subclassing work as with io; their methods call the library.
"""

import abc
import operator
import sys

from ._args import c_ssize, optional_size, writable_bytes_view
from ._lib import DEFAULT_BUFFER_SIZE
from io import UnsupportedOperation

_CLOSED = "I/O operation on closed file."


class IOBase(metaclass=abc.ABCMeta):
    """The abstract base class of all streams: closing, iteration, lines."""

    # Overwritten in the instance by close(); the class attribute is the
    # state of a stream that was never closed.
    __closed = False

    # ---- positioning ----

    # io's refusals take any arguments (METH_VARARGS): the refusal is what
    # is reported, never the arguments.
    def seek(self, *args):
        raise UnsupportedOperation("seek")

    def tell(self):
        return self.seek(0, 1)

    def truncate(self, *args):
        raise UnsupportedOperation("truncate")

    # ---- flushing and closing ----

    def flush(self):
        if self.__closed:
            raise ValueError(_CLOSED)

    def close(self):
        if not self.__closed:
            try:
                self.flush()
            finally:
                self.__closed = True

    @property
    def closed(self):
        return self.__closed

    def __del__(self):
        # io's finaliser: close an open stream, silently (loudly in -X dev).
        try:
            closed = self.closed
        except BaseException:
            return
        if closed:
            return
        try:
            self._finalizing = True
        except BaseException:
            pass
        try:
            self.close()
        except BaseException:
            if sys.flags.dev_mode:
                raise

    # ---- capabilities ----

    def seekable(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return False

    # io's checks take and ignore a message argument.
    def _checkClosed(self, *args):
        if self.closed:
            raise ValueError(_CLOSED)

    def _checkSeekable(self, *args):
        if self.seekable() is not True:
            raise UnsupportedOperation("File or stream is not seekable.")
        return True

    def _checkReadable(self, *args):
        if self.readable() is not True:
            raise UnsupportedOperation("File or stream is not readable.")
        return True

    def _checkWritable(self, *args):
        if self.writable() is not True:
            raise UnsupportedOperation("File or stream is not writable.")
        return True

    def fileno(self):
        raise UnsupportedOperation("fileno")

    def isatty(self):
        self._checkClosed()
        return False

    # ---- context manager ----

    def __enter__(self):
        self._checkClosed()
        return self

    def __exit__(self, *args):
        self.close()

    # ---- lines ----

    def readline(self, size=-1):
        """Reads through peek() where there is one (one read() per line),
        otherwise one byte at a time so as not to read past the newline."""
        limit = optional_size(size)
        peek = getattr(self, "peek", None)
        line = bytearray()
        while limit < 0 or len(line) < limit:
            ahead = 1
            if peek is not None:
                try:
                    buffered = peek(1)
                except InterruptedError:
                    continue
                if not isinstance(buffered, bytes):
                    raise OSError("peek() should have returned a bytes object, "
                                  f"not '{type(buffered).__name__}'")
                if buffered:
                    # As io does, the scan is bounded by the limit itself, not
                    # by what is left of it.
                    end = buffered.find(b"\n") + 1 or len(buffered)
                    ahead = end if limit < 0 else min(end, limit)
            try:
                chunk = self.read(ahead)
            except InterruptedError:
                continue
            if not isinstance(chunk, bytes):
                raise OSError("read() should have returned a bytes object, "
                              f"not '{type(chunk).__name__}'")
            if not chunk:
                break
            line += chunk
            if line.endswith(b"\n"):
                break
        return bytes(line)

    def __iter__(self):
        self._checkClosed()
        return self

    def __next__(self):
        line = self.readline()
        if len(line) <= 0:
            raise StopIteration
        return line

    def readlines(self, hint=None):
        limit = optional_size(hint, none=0)
        if limit <= 0:
            return list(self)
        lines = []
        total = 0
        for line in self:
            lines.append(line)
            total += len(line)
            if total > limit:
                break
        return lines

    def writelines(self, lines):
        self._checkClosed()
        for line in lines:
            while True:
                try:
                    self.write(line)
                    break
                except InterruptedError:
                    continue


class RawIOBase(IOBase):
    """Raw binary I/O: subclasses implement readinto() and/or write()."""

    def read(self, size=-1):
        n = c_ssize(size)    # io's RawIOBase.read, unlike FileIO's, takes no None
        if n < 0:
            return self.readall()
        buffer = bytearray(n)
        got = self.readinto(buffer)
        if got is None:
            return None
        got = operator.index(got)
        if not 0 <= got <= n:
            raise ValueError(f"readinto returned {got} outside buffer size {n}")
        del buffer[got:]
        return bytes(buffer)

    def readall(self):
        chunks = []
        while True:
            try:
                data = self.read(DEFAULT_BUFFER_SIZE)
            except InterruptedError:
                continue
            if data is None:
                if not chunks:
                    return None
                break
            if not isinstance(data, bytes):
                raise TypeError("read() should return bytes")
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)

    def readinto(self, b):
        raise NotImplementedError

    def write(self, b):
        raise NotImplementedError


class BufferedIOBase(IOBase):
    """Buffered binary I/O: read(n) returns n bytes unless EOF comes first."""

    def read(self, *args):
        raise UnsupportedOperation("read")

    def read1(self, *args):
        raise UnsupportedOperation("read1")

    def readinto(self, b):
        return self._readinto(b, "readinto", self.read)

    def readinto1(self, b):
        return self._readinto(b, "readinto1", self.read1)

    @staticmethod
    def _readinto(b, method, read):
        view = writable_bytes_view(b, method)
        data = read(len(view))
        # io says read() for read1() too.
        if not isinstance(data, bytes):
            raise TypeError("read() should return bytes")
        if len(data) > len(view):
            raise ValueError(f"read() returned too much data: "
                             f"{len(view)} bytes requested, {len(data)} returned")
        view[:len(data)] = data
        return len(data)

    def write(self, *args):
        raise UnsupportedOperation("write")

    def detach(self):
        raise UnsupportedOperation("detach")


class TextIOBase(IOBase):
    """Text I/O: str in and out; TextIOWrapper and StringIO derive from it."""

    def read(self, size=-1):
        raise UnsupportedOperation("read")

    def write(self, s):
        raise UnsupportedOperation("write")

    def truncate(self, pos=None):
        raise UnsupportedOperation("truncate")

    def readline(self, size=-1):
        raise UnsupportedOperation("readline")

    def detach(self):
        raise UnsupportedOperation("detach")

    @property
    def encoding(self):
        return None

    @property
    def newlines(self):
        return None

    @property
    def errors(self):
        return None


for _cls in (IOBase, RawIOBase, BufferedIOBase, TextIOBase):
    _cls.__module__ = "libpyio"
