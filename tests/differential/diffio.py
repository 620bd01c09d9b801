"""The differential engine: sequences of operations, applied side by side to
an oracle module (CPython's io) and a module under test (libpyio), compared
step by step, shrunk when they disagree, and printed as a runnable snippet.

A sequence is a class (a key of classes.CLASSES), the parameters of its
setup (which file, which mode, which initial bytes...) and a list of Ops.
It becomes Python source: a function `run(mod)` over prelude.py that builds
the stream with `mod`, performs each op through a Log and returns the Log's
entries.  The harness executes exactly that source for each side, and a
failure's snippet is that source too, so what the snippet shows is what the
harness saw.

What is compared, for every entry: the outcome (the value's type and value,
or the exception's class, errno and built-in bases), whether the stream is
closed afterwards and, when the sequence probes it, tell().  Messages are
recorded, and compared for the classes that ask for it (normal_message).
Narrow, documented exceptions to that live in ALLOWANCES (see
CONFORMANCE.md).
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import os
import pickle
import random
import re
import select
import signal
import textwrap
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import prelude

PRELUDE_PATH = Path(prelude.__file__)
PRELUDE_SOURCE = PRELUDE_PATH.read_text()
_PRELUDE_CODE = compile(PRELUDE_SOURCE, str(PRELUDE_PATH), "exec")

# A sequence whose two sides take longer than this is stuck (a read that
# waits forever); normal ones take milliseconds.
PAIR_TIMEOUT = 20

# The most a file may grow to while a sequence runs (RLIMIT_FSIZE): beyond
# it writes and truncates fail with EFBIG on both sides, so a seek far past
# the end followed by a write cannot fill the disk.  Python ignores SIGXFSZ.
FILE_SIZE_LIMIT = 16 << 20

# The most address space the process may use (RLIMIT_AS): a BytesIO written
# at a huge position must fail with MemoryError on both sides, whatever the
# machine's overcommit policy, instead of zero-filling gigabytes.
MEMORY_LIMIT = 6 << 30


# ---------------------------------------------------------------------------
# Values that appear in op sources
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Blob:
    """Reproducible bytes: a literal when short, prelude.blob(...) when long."""
    seed: int
    n: int
    alphabet: bytes = b"ab\n"

    LITERAL_MAX = 48

    def value(self) -> bytes:
        return prelude.blob(self.seed, self.n, self.alphabet)

    def __repr__(self) -> str:
        if self.n <= self.LITERAL_MAX:
            return repr(self.value())
        return f"blob({self.seed}, {self.n}, {self.alphabet!r})"


@dataclass(frozen=True)
class Text:
    """Reproducible text (prelude.text): a literal when short."""
    seed: int
    n: int
    alphabet: int = 0

    LITERAL_MAX = 24

    def value(self) -> str:
        return prelude.text(self.seed, self.n, self.alphabet)

    def simpler(self) -> list:
        out = [dataclasses.replace(self, n=n) for n in (0, 1, self.n // 2, self.n - 1)
               if 0 <= n < self.n]
        if self.alphabet:
            out.append(dataclasses.replace(self, alphabet=0))
        return list(dict.fromkeys(out))

    def __repr__(self) -> str:
        if self.n <= self.LITERAL_MAX:
            return repr(self.value())
        return f"text({self.seed}, {self.n}, {self.alphabet})"


@dataclass(frozen=True)
class Encoded:
    """Reproducible encoded text, perhaps spoilt (prelude.encoded)."""
    seed: int
    n: int
    alphabet: int
    encoding: str
    junk: int = 0

    def value(self) -> bytes:
        return prelude.encoded(self.seed, self.n, self.alphabet, self.encoding, self.junk)

    def simpler(self) -> list:
        out = [dataclasses.replace(self, n=n) for n in (0, 1, self.n // 2, self.n - 1)
               if 0 <= n < self.n]
        out += [dataclasses.replace(self, **{k: 0}) for k in ("alphabet", "junk")
                if getattr(self, k)]
        return list(dict.fromkeys(out))

    def __repr__(self) -> str:
        return (f"encoded({self.seed}, {self.n}, {self.alphabet}, {self.encoding!r}, "
                f"{self.junk})")


@dataclass(frozen=True)
class Src:
    """A piece of source inserted verbatim (a constant such as os.O_RDWR)."""
    text: str

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Op:
    """One operation: `template` formatted with the repr() of each arg.
    The template, not the args, identifies the kind of operation."""
    template: str
    args: tuple = ()

    def source(self) -> str:
        return self.template.format(*(repr(a) for a in self.args))


@dataclass
class Setup:
    """How a sequence builds its stream and what it checks at the end.

    prepare and cleanup are statements (not compared); construct is the
    expression whose value becomes `f`; each of finals is an expression
    whose outcome is compared once the ops are done.  Names the sources may
    use: mod, tmp, views, f, fd and whatever prepare defines."""
    prepare: list[str]
    construct: str
    finals: list[str]
    cleanup: list[str] = field(default_factory=list)
    kind: str | None = None   # compare the constructed class as this name


@dataclass
class Sequence:
    cls: str                  # a key of classes.CLASSES
    params: dict              # the setup's parameters (shrinkable)
    ops: list[Op]
    probe_tell: bool
    origin: str               # "seed/class/index", for reproducing
    compare_messages: bool = False  # the class's exception messages must match too

    def replace(self, **changes) -> Sequence:
        return dataclasses.replace(self, **changes)


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------

def run_source(seq: Sequence, setup: Setup) -> str:
    """The function `run(mod)` that performs seq on one module."""
    lines = [
        "def run(mod):",
        "    tmp = tempfile.mkdtemp(prefix='diffio-')",
        "    try:",
        "        log = Log(tmp)",
        "        views = []",
        "        fd = None",
    ]
    body = "        "
    lines += [body + s for s in setup.prepare]
    kind = f", {setup.kind!r}" if setup.kind else ""
    lines.append(f"{body}f = log.construct({setup.construct!r}, lambda: {setup.construct}{kind})")
    if seq.ops:
        lines.append(f"{body}if f is not None:")
        for op in seq.ops:
            src = op.source()
            lines.append(f"{body}    log.step({src!r}, f, lambda: {src}, {seq.probe_tell})")
    for expr in setup.finals:
        lines.append(f"{body}log.final({expr!r}, f, lambda: {expr})")
    lines += [body + s for s in setup.cleanup]
    lines += [
        "        return log.finish()",
        "    finally:",
        "        shutil.rmtree(tmp, ignore_errors=True)",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Running one side, and a pair
# ---------------------------------------------------------------------------

_base_namespace: dict | None = None


def _namespace() -> dict:
    global _base_namespace
    if _base_namespace is None:
        _base_namespace = {"__name__": "diffio_prelude"}
        exec(_PRELUDE_CODE, _base_namespace)
        exec("import pathlib, shutil, tempfile", _base_namespace)
    return dict(_base_namespace)


def limit_resources() -> None:
    """RLIMIT_FSIZE and RLIMIT_AS for this process (see FILE_SIZE_LIMIT and
    MEMORY_LIMIT); snippets set the same."""
    import resource
    for which, limit in ((resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT),
                         (resource.RLIMIT_AS, MEMORY_LIMIT)):
        soft, hard = resource.getrlimit(which)
        resource.setrlimit(which, (limit if hard == resource.RLIM_INFINITY else min(hard, limit), hard))


def run_side(code, module) -> list:
    ns = _namespace()
    exec(code, ns)
    return ns["run"](module)


@dataclass
class Divergence:
    index: int                # entry index
    label: str                # the entry's source
    field: str                # "outcome", "closed after", "tell after", "entries", "crash", "error"
    oracle: tuple | None      # the oracle's entry
    other: tuple | None       # the module under test's entry
    detail: str = ""

    def signature(self) -> tuple:
        """What must stay the same while shrinking, and what tells two
        divergences apart: the field, the kind of step, and the kind of
        result each side had there ("ok bytes", "raise ValueError")."""
        if self.field in ("crash", "error"):
            return (self.field, self.label, self.detail.splitlines()[-1] if self.detail else "", "")
        if self.field == "message":
            return (self.field, _kind_of(self.label), normal_message(self.oracle[2]),
                    normal_message(self.other[2]))
        k = {"outcome": 1, "closed after": 3, "tell after": 4}.get(self.field)
        return (self.field, _kind_of(self.label),
                _summary(self.oracle, k), _summary(self.other, k))


def _summary(entry, k):
    if entry is None or k is None or entry[k] is None:
        return ""
    value = entry[k]
    return f"{value[0]} {value[1] if value[0] == 'raise' else value[1][0]}"


# Python's own complaints about a call's arguments: their wording depends on
# how the method is defined (C or Python), not on what io does.
_ARITY = re.compile(r"TypeError: .*(takes (exactly|at most|no|from|\d+ positional) |missing \d+ required "
                    r"positional|missing required argument|expected (at least|at most) \d+ "
                    r"argument)")


def normal_message(message: str | None) -> str | None:
    """A message with the deliberate, documented differences taken out:
    FileIO's "closed file" without its full stop in CPython, the "_io."
    that CPython's class names carry, and argument-count TypeErrors."""
    if message is None:
        return None
    message = message.replace("I/O operation on closed file.", "I/O operation on closed file")
    message = re.sub(r"'_io\.(\w+)' object has no attribute", r"'\1' object has no attribute",
                     message)
    if _ARITY.match(message):
        return "TypeError: <arguments>"
    return message


def _kind_of(label: str) -> str:
    # "f.read(3)" and "f.read(100)" are the same kind of step.
    return label.split("(", 1)[0]


class Allowance:
    """A documented difference (CONFORMANCE.md, the section named `name`)
    that compare() accepts.  `applies(seq, field, oracle_entry, other_entry,
    earlier)` (earlier: the oracle's entries before this one)
    returns False (not this case), True (accept this field of this entry) or
    STOP (accept, and compare nothing after it: the sides have parted ways
    for a reason that is understood).  Each entry is first offered with the
    field "entry", whether or not anything differs, for a STOP that must
    apply even when the entries happen to look the same; then each field
    that differs ("outcome", "closed after", "tell after"), and "message"
    when both raised the same class with different messages."""

    def __init__(self, name: str, applies: Callable):
        self.name = name
        self.applies = applies


STOP = "stop"


def _raised(entry, cls_name) -> bool:
    return entry[1][0] == "raise" and entry[1][1] == cls_name


def _reads_without_blocking(seq):
    """Whether seq's stream reads through IOBase.readline (no readline of
    its own) from a raw stream that may say "would block"."""
    p = seq.params
    if seq.cls == "fileio":
        return p.get("nonblocking") or p.get("kind") == "tty"
    if seq.cls == "rawio":
        return bool(p.get("block_every"))
    if seq.cls == "bufferedrwpair":  # io's BufferedRWPair has no readline
        return (p["kind"] == "loop" or p["kind"] == "pipes" and p["nonblocking"]
                or p["kind"] == "memory" and p["block_every"])
    if seq.cls == "socketio":        # SocketIO, and BufferedRWPair over it
        return p["nonblocking"] and p["kind"] in ("raw", "loop", "makefile")
    return False


def _nonblocking_readline(seq, field_name, a, b, earlier=()):
    nonblocking = _reads_without_blocking(seq)
    if not (nonblocking and _kind_of(a[0]) in ("f.readline", "f.readlines", "next", "list")
            and a[1] == ("raise", "OSError", None, ("OSError",))
            and a[2].startswith("OSError: read() should have returned a bytes object, not 'NoneType'")
            and b[1][0] == "ok"):
        return False
    return field_name == "outcome"


def _nonblocking_iteration(seq, field_name, a, b, earlier=()):
    # list(f) goes on past the partial lines where io raised (each next() is
    # a readline): the positions part ways there, whatever list(f) returned.
    if (field_name == "entry" and _kind_of(a[0]) == "list"
            and _nonblocking_readline(seq, "outcome", a, (b[0], ("ok",)) + b[2:])):
        return STOP
    return False


def _bytesio_allocation_failure(seq, field_name, a, b, earlier=()):
    # io.BytesIO cannot grow: MemoryError, or OverflowError "byte string is
    # too large" when its buffer happened to be shared or empty, and closed
    # afterwards unless it was shared.  libpyio: MemoryError, still open.
    # A buffered object over a BytesIO meets it in whichever step writes to
    # the BytesIO (a write, a flush, a seek, close...).
    if seq.cls == "bytesio":
        if _kind_of(a[0]) not in ("f.write", "f.writelines"):
            return False
    elif seq.params.get("kind") != "bytesio":
        return False
    if not _raised(b, "MemoryError"):
        return False
    too_large = _raised(a, "OverflowError") and a[2] == "OverflowError: byte string is too large"
    if not (too_large or _raised(a, "MemoryError")):
        return False
    if field_name == "outcome":
        return too_large
    if field_name == "closed after":
        return STOP if a[3] == ("ok", ("bool", True)) and b[3] == ("ok", ("bool", False)) else False
    return False


def _truncate_returns_its_argument(seq, field_name, a, b, earlier=()):
    # io.FileIO.truncate(size) returns the very object it was given, and a
    # buffered object over one returns what its raw stream's truncate did.
    # (A buffered class's "bad" kind, the constructions that may fail, is
    # over a FileIO too.)
    over_fileio = (seq.cls in ("fileio", "open", "opentext")
                   or seq.cls in ("bufferedwriter", "bufferedrandom", "textiowrapper")
                   and seq.params.get("kind") in ("file", "fileio", "bad"))
    if field_name != "outcome" or not over_fileio or _kind_of(a[0]) != "f.truncate":
        return False
    if a[1][0] != "ok" or a[1][1][0] not in ("bool", "Idx"):
        return False
    return b[1] == ("ok", ("int", int(a[1][1][1])))


def _bytesio_reinit_with_views(seq, field_name, a, b, earlier=()):
    # io.BytesIO.__init__ empties the stream, and only then finds the views.
    if (field_name == "entry" and seq.cls == "bytesio" and _kind_of(a[0]) == "f.__init__"
            and _raised(a, "BufferError") and _raised(b, "BufferError")):
        return STOP
    return False


# Steps after which a BufferedRandom has nothing left to write (they flush).
_FLUSHING = ("f.flush", "f.seek", "f.truncate", "f.peek", "f.close", "f.__exit__", "f.detach")


# A TextIOWrapper's reads through its buffer's read1 (read() alone reads
# through read), and the steps after which its buffer has nothing left to
# write: all that flush, tell() among them (seek and truncate are kept as
# cookies).
_TEXT_READ1 = ("f.read", "f.readline", "f.readlines", "next", "list")
_TEXT_FLUSHING = ("f.flush", "cookies.keep", "f.close", "f.__exit__", "f.reconfigure")
# read() to the end reads through the buffer's read(), which flushes it.
_TEXT_READ_ALL = re.compile(r"f\.read\((None|-\d+)?\)$")


def _random_read1_after_write(seq, field_name, a, b, earlier=()):
    # io.BufferedRandom.read1 with nothing buffered reads past pending
    # writes, and they land in the wrong place later; libpyio sends them
    # first.  What follows differs for that reason.  A TextIOWrapper over a
    # BufferedRandom reads through read1, after handing it what was written.
    if field_name != "entry":
        return False
    mode, kind = str(seq.params.get("mode")), _kind_of(a[0])
    if seq.cls in ("textiowrapper", "opentext"):
        text_random = "+" in mode and seq.params.get("kind") in ("file", "path", "fd")
        if not text_random or kind not in _TEXT_READ1 or _TEXT_READ_ALL.match(a[0]):
            return False
        flushing, probed = _TEXT_FLUSHING, seq.probe_tell
    else:
        random_access = (seq.cls == "bufferedrandom" or seq.cls == "open" and "+" in mode
                         and seq.params.get("buffering") != 0)
        if not random_access or kind != "f.read1":
            return False
        flushing, probed = _FLUSHING, False
    for label, outcome, _, _, tell in reversed(earlier):
        if probed and tell is not None and tell[0] == "ok":
            return False   # the harness's tell() after that step flushed
        kind = _kind_of(label)
        if kind in ("f.write", "f.writelines"):
            return STOP
        if outcome[0] == "ok" and (kind in flushing or _TEXT_READ_ALL.match(label)
                                   or label == "type(f.detach()).__name__"):
            return False
    return False


def _position_past_int64(seq, field_name, a, b, earlier=()):
    # io computes a buffered position in a C off_t that wraps at 2**63: a
    # tell() past 2**63 - 1 answers a negative number, which libpyio's C
    # API cannot (it answers 0).  Nothing after that means anything.
    def negative(value):
        return value is not None and value[0] == "ok" and value[1][0] == "int" and value[1][1] < 0
    if field_name == "tell after" and negative(a[4]):
        return STOP
    if field_name == "outcome" and _kind_of(a[0]) == "f.tell" and negative(a[1]):
        return STOP
    return False


# open()'s text arguments that libpyio checks before opening the file.
_TEXT_OPEN_CHECKS = ("unbuffered", "encoding_unknown", "encoding_type", "errors_type",
                     "newline_value", "newline_type")


def _text_open_checks_first(seq, field_name, a, b, earlier=()):
    # io opens (creating or truncating) the file before TextIOWrapper refuses
    # an argument; libpyio refuses it first and leaves the file alone.  The
    # exception itself is compared as always.
    return (field_name == "outcome" and seq.cls == "opentext"
            and seq.params.get("variant") in _TEXT_OPEN_CHECKS and a[0] == "slurp(path)"
            and earlier[0][1][0] == "raise" and a[1] == ("ok", ("bytes", b"")))


def _unknown_error_handler(seq, field_name, a, b, earlier=()):
    # io looks an error handler up when it first needs it; libpyio refuses
    # an unknown one when the stream is made.
    if (field_name == "entry" and not earlier and seq.cls == "textiowrapper"
            and seq.params.get("variant") == "errors_unknown" and a[1][0] == "ok"
            and _raised(b, "LookupError") and b[2] == "LookupError: unknown error handler name 'bogus'"):
        return STOP
    return False


# A seek to a cookie with decoder fields that no tell() returned (classes.
# _forged_cookie writes them as "N | F << 64 ..." or "2**K"; a negative one
# is refused alike by both and compared).
_FORGED_SEEK = re.compile(r"cookies\.keep\(f\.seek\([^-][^,)]*(<<|\*\*)")


def _forged_cookie(seq, field_name, a, b, earlier=()):
    # What such a cookie does is CPython's internal packing applied to
    # whatever state it names; libpyio refuses the states its decoders
    # cannot be in (pyio.h, pyio_text_seek).  Nothing after it is compared.
    if (field_name == "entry" and seq.cls in ("textiowrapper", "opentext")
            and _FORGED_SEEK.match(a[0])):
        return STOP
    return False


_STALE_TELL = "OSError: can't reconstruct logical file position"


_SEEK_COOKIE_CUR = re.compile(r"f\.seek\(cookies\.at\(-?\d+\), 1\)")


def _asks_tell(label):
    """Whether the step calls the text stream's tell(): f.tell() itself, or
    seek(0, 1), which seeks to what tell() answers -- also as seek(c, 1)
    with a kept cookie c that is 0 (any other is refused before tell(),
    alike on both sides; seed 20261235 textiowrapper/10578)."""
    return "f.tell()" in label or "f.seek(0, 1)" in label or bool(_SEEK_COOKIE_CUR.search(label))


def _stale_snapshot_tell(seq, field_name, a, b, earlier=()):
    # After an iteration CPython's tell() may search past its snapshot's
    # (empty) input and answer; libpyio refuses.  The harness's own tell()
    # after a step keeps no message, only the class.
    if seq.cls not in ("textiowrapper", "opentext"):
        return False
    if not any(_kind_of(e[0]) in ("next", "list", "f.readlines") for e in earlier):
        return False
    def garbage(outcome):  # what io's search of memory past the input gives
        # An error handler that only encodes (xmlcharrefreplace) turns the
        # UnicodeDecodeError into a TypeError about it.
        return outcome is not None and (outcome[0] == "ok" or outcome[:2] in (
            ("raise", "UnicodeDecodeError"), ("raise", "TypeError")))
    # libpyio's search stops at the end of its input: it refuses, or the
    # decoder's end of input (CPython's decode(b'', final=True), which _pyio
    # reaches the same way) raises UnicodeDecodeError about the bytes it
    # still holds.
    eof_error = ("raise", "UnicodeDecodeError")
    if field_name == "tell after":
        # io's answer is whatever the memory past the input holds: it varies
        # from run to run, so libpyio's (a refusal, or after a flush that
        # allows tell() again, the position) cannot be compared with it.
        answered = b[4] is not None and b[4][0] == "ok"
        refused = b[4] == ("raise", "OSError", None, ("OSError",)) or (b[4] is not None and b[4][:2] == eof_error)
        # After a step that flushed, and so allowed tell() again, io's OSError
        # is its search failing on the stale snapshot ("can't reconstruct
        # logical file position"), where libpyio and _pyio answer.
        io_gave_up = (a[4] == ("raise", "OSError", None, ("OSError",))
                      and _kind_of(a[0]) in ("f.truncate", "f.flush"))
        return STOP if (garbage(a[4]) and (refused or answered)) or (io_gave_up and answered) else False
    if field_name in ("outcome", "message") and _asks_tell(a[0]):
        if a[1][:2] == ("raise", "TypeError") and "UnicodeDecodeError in error callback" not in str(a[2]):
            return False
        refused = (_raised(b, "OSError") and b[2] == _STALE_TELL) or b[1][:2] == eof_error
        return STOP if garbage(a[1]) and refused else False
    return False


def _seek_snapshot_tell(seq, field_name, a, b, earlier=()):
    # After a seek to a cookie that feeds bytes, CPython's snapshot holds
    # only those bytes, and its tell() may decode past them (it checks
    # skip_back, not skip_bytes, against their length): a UnicodeDecodeError
    # about whatever memory follows.  libpyio searches only the input and
    # answers.
    if seq.cls not in ("textiowrapper", "opentext"):
        return False
    if not any("f.seek(cookies.at(" in e[0] for e in earlier):
        return False
    return _tell_raised_where_libpyio_answered(field_name, a, b, "UnicodeDecodeError")


def _tell_raised_where_libpyio_answered(field_name, a, b, error):
    # STOP when io's tell() -- the step's own, or the harness's after it --
    # raised `error` and libpyio's answered.
    def raised(outcome):
        return outcome is not None and outcome[:2] == ("raise", error)
    if field_name == "tell after":
        return STOP if raised(a[4]) and b[4] is not None and b[4][0] == "ok" else False
    if field_name == "outcome" and _asks_tell(a[0]):
        return STOP if raised(a[1]) and b[1][0] == "ok" else False
    return False


def _decoder_flags_past_c_int(seq, field_name, a, b, earlier=()):
    # CPython's C tell() reads the decoder's state flags with "i", a C int.
    # The ISO-2022 decoders pack their 8-byte state into the flags, the
    # shift-out and escape-through flags in the fifth byte: in those states
    # io's tell() raises OverflowError, where _pyio and libpyio answer.
    if seq.cls not in ("textiowrapper", "opentext"):
        return False
    encoding = str(seq.params.get("encoding") or "").lower().replace("_", "-")
    if not encoding.startswith(("iso-2022", "iso2022", "csiso2022")):
        return False
    return _tell_raised_where_libpyio_answered(field_name, a, b, "OverflowError")


def _text_write_kept(seq, field_name, a, b, earlier=()):
    # When the buffer refuses a TextIOWrapper's bytes with an error, io has
    # dropped them; libpyio keeps them pending and every later flush (write,
    # tell, seek, reconfigure...) tries them again, failing the same way.
    if seq.cls not in ("textiowrapper", "opentext"):
        return False
    # Any step after a write may be the one that hands the bytes over and
    # fails (a flush, a tell, a seek, a read: next() too).
    steps = list(earlier) + [a]
    first_write = next((i for i, e in enumerate(steps) if _kind_of(e[0]) in ("f.write", "f.writelines")), None)
    if first_write is None:
        return False
    failed = [e[1] for e in steps[first_write:] if e[1][:2] == ("raise", "OSError")]
    # The harness's own tell() after a step flushes too.
    failed += [e[4] for e in earlier if e[4] is not None and e[4][:2] == ("raise", "OSError")]
    if not failed:
        return False
    errnos = {outcome[2] for outcome in failed}
    def same_failure(outcome):
        return outcome is not None and outcome[:2] == ("raise", "OSError") and outcome[2] in errnos
    if field_name == "tell after" and same_failure(b[4]):
        return STOP
    if field_name == "outcome" and same_failure(b[1]) and a[1] != b[1]:
        return STOP
    return False


_ABSOLUTE_SEEK = re.compile(r"f\.seek\((\d+)(, 0)?\)$")
_RELATIVE_SEEK = re.compile(r"f\.seek\(-?\d+, 1\)$")


def _seek_after_failed_flush(seq, field_name, a, b, earlier=()):
    # After a flush that failed partway inside the read window (a write or
    # seek raised OSError), io's seek within the window answers from a raw
    # position that is no longer the window's end: a wrong, even negative,
    # number.  libpyio answers the position it moved to: N for seek(N); for
    # a relative seek, a position (its own tests check which).
    if field_name != "outcome" or a[1][0] != "ok" or not any(e[1][:2] == ("raise", "OSError") for e in earlier):
        return False
    m = _ABSOLUTE_SEEK.match(a[0])
    if m and b[1] == ("ok", ("int", int(m.group(1)))):
        return STOP
    if (_RELATIVE_SEEK.match(a[0]) and b[1][0] == "ok" and b[1][1][0] == "int" and b[1][1][1] >= 0
            and seq.cls in ("bufferedrandom", "open")):
        return STOP
    return False


_READ_ALL = re.compile(r"f\.read\((None|-\d+)?\)$")


def _returned_bytes(entry):
    """The number of bytes a read-family step returned (readinto's count), or 0."""
    outcome = entry[1]
    if outcome[0] != "ok":
        return 0
    kind, value = outcome[1]
    if kind == "bytes":
        return len(value)
    if kind == "tuple" and value and value[0][0] == "int":  # (readinto's count, the buffer)
        return value[0][1]
    return 0


def _seek_after_read_all(seq, field_name, a, b, earlier=()):
    # io does not advance its cached raw position (abs_pos) over the raw
    # stream's readall(), which read(-1) calls.  When readall() stopped
    # before the end (a raw stream that would block) and a later read
    # buffered more, a seek inside the read window computes from that cache:
    # its answer, or where it lands, is off by what readall() returned.
    # libpyio asks the raw stream again.  Allowed from such a seek on, unless
    # a tell() (which asks the raw stream in io too) came between.
    if seq.cls not in ("bufferedreader", "bufferedrandom", "open"):
        return False
    steps = list(earlier) + [a]
    read_all = buffered_after = None
    for i, e in enumerate(steps):
        label = e[0]
        if _READ_ALL.match(label) and _returned_bytes(e) > 0:
            read_all, buffered_after = i, False
        elif read_all is None:
            continue
        elif "tell()" in label or (e[4] is not None and i < len(steps) - 1):
            read_all = None
        elif label.lstrip("(").startswith(_READS) and _returned_bytes(e) > 0:
            buffered_after = True
        elif _kind_of(label) == "f.seek":
            # With nothing buffered, io's seek is a raw seek, which renews
            # the cache; with bytes buffered, it may be served from them.
            if buffered_after:
                return STOP
            read_all = None
    return False


def _read_after_failed_seek(seq, field_name, a, b, earlier=()):
    # A write's flush inside the read window leaves the raw stream there;
    # when a seek then fails, io's next fill reads from that raw position --
    # bytes the window held, again.  libpyio puts the raw stream back at the
    # window's end and reads on (BufferedRandom.AFailedSeekAfterAFlush-
    # InsideTheReadWindowReadsNothingTwice).
    if seq.cls not in ("bufferedrandom", "open") or not a[0].lstrip("(").startswith(_READS):
        return False
    wrote = False
    for e in earlier:
        if _kind_of(e[0]) in ("f.write", "f.writelines"):
            wrote = True
        elif wrote and _kind_of(e[0]) == "f.seek" and e[1][:2] == ("raise", "OSError"):
            return STOP
    return False


_READS = ("f.read", "f.read1", "f.readinto", "f.readinto1", "f.readline", "f.readlines", "f.peek", "next(f")


def _read_after_failed_flush(seq, field_name, a, b, earlier=()):
    # A read that must first write out pending bytes, and whose write fails:
    # io has already taken what was buffered (and loses it with the
    # failure), libpyio takes nothing -- it is still buffered, so later steps
    # find it (a closed check that io's empty buffer fails, a read that
    # returns it).
    if seq.cls not in ("bufferedrandom", "open"):
        return False
    # The read itself counts: its own "tell after" is the first difference.
    steps = list(earlier) + [a]
    for i, e in enumerate(steps):
        # readinto's label is "(f.readinto(b := ...), bytes(b))".
        if (e[0].lstrip("(").startswith(_READS) and e[1][0] == "raise"
                and any(_kind_of(w[0]) in ("f.write", "f.writelines") for w in steps[:i])):
            return STOP
    return False


def _newline_kinds(outcome):
    """The newline kinds of a `newlines` outcome, or None if it is not one."""
    if outcome[0] != "ok":
        return None
    kind, value = outcome[1]
    if kind == "NoneType":
        return frozenset()
    if kind == "str":
        return frozenset([value])
    if kind == "tuple":
        return frozenset(v for _, v in value)
    return None


def _newlines_after_tell(seq, field_name, a, b, earlier=()):
    # io's tell() replays the decoder from the snapshot; at the start of the
    # stream it reset()s it first, which also empties the newline decoder's
    # record, so `newlines` then lists only the kinds in the replayed bytes.
    # libpyio's tell() leaves the record alone: it lists more kinds.
    if (seq.cls not in ("textiowrapper", "opentext") or field_name != "outcome"
            or _kind_of(a[0]) != "f.newlines"):
        return False
    io_kinds, our_kinds = _newline_kinds(a[1]), _newline_kinds(b[1])
    if io_kinds is None or our_kinds is None or not io_kinds < our_kinds:
        return False
    # The harness's own tell() after a step counts, as the steps' do.
    return any(e[4] is not None or "tell()" in e[0] or _asks_tell(e[0]) for e in earlier)


ALLOWANCES: list[Allowance] = [
    Allowance("A seek after a flush that failed", _seek_after_failed_flush),
    Allowance("A read after a flush that failed", _read_after_failed_flush),
    Allowance("A seek after read(-1) from a raw stream's readall()", _seek_after_read_all),
    Allowance("A read after a seek that failed", _read_after_failed_seek),
    Allowance("A TextIOWrapper keeps what its buffer refused", _text_write_kept),
    Allowance("Cookies that no tell() returned", _forged_cookie),
    Allowance("tell() after an iteration, from a stale snapshot", _stale_snapshot_tell),
    Allowance("tell() after a seek that fed bytes", _seek_snapshot_tell),
    Allowance("tell() in an ISO-2022 shift", _decoder_flags_past_c_int),
    Allowance("newlines after a tell() at the start of the stream", _newlines_after_tell),
    Allowance("open() in a text mode checks its arguments first", _text_open_checks_first),
    Allowance("Unknown error handlers", _unknown_error_handler),
    Allowance("A BufferedRandom's read1 after a write", _random_read1_after_write),
    Allowance("Positions past 2**63 - 1", _position_past_int64),
    Allowance("BytesIO.__init__ again while a view is held", _bytesio_reinit_with_views),
    Allowance("FileIO.truncate returns its argument", _truncate_returns_its_argument),
    Allowance("Non-blocking readline with nothing to read", _nonblocking_readline),
    Allowance("Non-blocking readline with nothing to read", _nonblocking_iteration),
    Allowance("A BytesIO that cannot grow", _bytesio_allocation_failure),
]


def compare(seq: Sequence, a: list, b: list) -> Divergence | None:
    for i, (ea, eb) in enumerate(zip(a, b)):
        if ea[0] != eb[0]:
            return Divergence(i, ea[0], "entries", ea, eb, "the sides ran different steps")
        if any(x.applies(seq, "entry", ea, eb, a[:i]) == STOP for x in ALLOWANCES):
            return None
        for field_name, k in (("outcome", 1), ("closed after", 3), ("tell after", 4)):
            if ea[k] == eb[k]:
                continue
            verdicts = [x.applies(seq, field_name, ea, eb, a[:i]) for x in ALLOWANCES]
            if STOP in verdicts:
                return None
            if not any(verdicts):
                return Divergence(i, ea[0], field_name, ea, eb)
        if (seq.compare_messages and ea[1] == eb[1] and ea[1][0] == "raise"
                and normal_message(ea[2]) != normal_message(eb[2])):
            verdicts = [x.applies(seq, "message", ea, eb, a[:i]) for x in ALLOWANCES]
            if STOP in verdicts:
                return None
            if not any(verdicts):
                return Divergence(i, ea[0], "message", ea, eb)
    if len(a) != len(b):
        i = min(len(a), len(b))
        return Divergence(i, "<end>", "entries", None, None,
                          f"{len(a)} entries from the oracle, {len(b)} from the other side")
    return None


class Pair:
    """The two modules, and how to run a sequence on both."""

    def __init__(self, oracle, under_test, setups: Callable[[Sequence], Setup],
                 isolate: bool = True):
        self.oracle = oracle
        self.under_test = under_test
        self.setups = setups
        self.isolate = isolate
        self.runs = 0
        # Sequences whose crash was the oracle's own (CPython's io crashing
        # by itself): not compared, and reported apart.
        self.oracle_crashes: list[str] = []
        self._worker: _Worker | None = None

    def _code(self, seq: Sequence):
        return compile(run_source(seq, self.setups(seq)), f"<sequence {seq.origin}>", "exec")

    def _compare_here(self, seq: Sequence) -> Divergence | None:
        code = self._code(seq)
        a = run_side(code, self.oracle)
        b = run_side(code, self.under_test)
        return compare(seq, a, b)

    def _oracle_here(self, seq: Sequence) -> None:
        run_side(self._code(seq), self.oracle)

    def check(self, seq: Sequence) -> Divergence | None:
        """The first divergence of seq, or None.  Isolated, the pair runs in
        a forked worker process, so that a crash or a hang is a result (a
        Divergence of field "crash"), not the end of the harness."""
        self.runs += 1
        if not self.isolate:
            old = signal.signal(signal.SIGALRM, _timeout)
            signal.alarm(PAIR_TIMEOUT)
            try:
                return self._compare_here(seq)
            finally:
                signal.alarm(0)
                signal.signal(signal.SIGALRM, old)
        if self._worker is None:
            self._worker = _Worker(self._compare_here)
        kind, payload = self._worker.ask(seq, PAIR_TIMEOUT)
        if kind == "ok":
            return payload
        if kind == "error":
            return Divergence(-1, "<harness>", "error", None, None, payload)
        self._worker = None  # it died: the next sequence gets a new one
        # Both sides ran in the process: whose crash (or hang) was it?  The
        # oracle's alone, when it dies (or hangs) again by itself.
        alone = _Worker(self._oracle_here)
        oracle_kind, _ = alone.ask(seq, PAIR_TIMEOUT)
        if oracle_kind != "crash":
            alone.stop()
        else:
            self.oracle_crashes.append(seq.origin)
            return None
        return Divergence(-1, "<process>", "crash", None, None, payload)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None


class _Worker:
    """A forked child that runs work(request) for each request sent to it.
    Messages are pickles, each preceded by its length (8 bytes)."""

    def __init__(self, work: Callable):
        _namespace()  # built once, here, rather than in the child
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: serves until its input ends
            status = 0
            try:
                os.close(self._to_child)
                os.close(self._from_child)
                while (request := _receive(to_child_r)) is not None:
                    try:
                        reply = ("ok", work(request))
                    except BaseException:
                        reply = ("error", traceback.format_exc())
                    _send(from_child_w, reply)
            except BaseException:
                status = 3
            finally:
                os._exit(status)
        os.close(to_child_r)
        os.close(from_child_w)

    def ask(self, request, timeout: float):
        """("ok", result), ("error", traceback) or ("crash", how it died)."""
        try:
            _send(self._to_child, request)
            ready, _, _ = select.select([self._from_child], [], [], timeout)
            if ready:
                reply = _receive(self._from_child)
                if reply is not None:
                    return reply
            else:
                os.kill(self.pid, signal.SIGKILL)
        except BrokenPipeError:
            pass
        status = self.stop()
        if os.WIFSIGNALED(status):
            sig = signal.Signals(os.WTERMSIG(status)).name
            hint = f" after {timeout} s: a step blocked?" if sig == "SIGKILL" else ""
            return ("crash", f"killed by {sig}{hint}")
        return ("crash", f"exited with status {os.WEXITSTATUS(status)} before answering")

    def stop(self) -> int:
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        return os.waitpid(self.pid, 0)[1]


def _send(fd: int, message) -> None:
    data = pickle.dumps(message)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int):
    """The next message, or None at end of input."""
    def exactly(n):
        chunks, left = [], n
        while left:
            chunk = os.read(fd, left)
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    head = exactly(8)
    if head is None:
        return None
    body = exactly(int.from_bytes(head, "little"))
    return None if body is None else pickle.loads(body)


def _timeout(signum, frame):
    raise TimeoutError("a sequence ran for too long (a step blocked?)")


# ---------------------------------------------------------------------------
# Shrinking
# ---------------------------------------------------------------------------

def _simpler(value) -> list:
    """Candidates simpler than value, simplest first; same kind of value."""
    if isinstance(value, (Text, Encoded)):
        return value.simpler()
    if isinstance(value, bool) or not isinstance(value, (int, Blob, list, tuple)):
        return []
    if isinstance(value, int):
        out = [0, 1, -1, value // 2, value - 1 if value > 0 else value + 1]
        return [c for c in dict.fromkeys(out) if abs(c) < abs(value)]
    if isinstance(value, Blob):
        out = []
        for n in (0, 1, value.n // 2, value.n - 1):
            if 0 <= n < value.n:
                out.append(Blob(value.seed, n, value.alphabet))
        if value.alphabet != b"a" and value.n <= 4 * Blob.LITERAL_MAX:
            out.append(Blob(value.seed, value.n, b"a"))
        return list(dict.fromkeys(out))
    seqtype = type(value)
    out = [seqtype(value[:i] + value[i + 1:]) for i in range(len(value))]
    for i, item in enumerate(value):
        out += [seqtype(value[:i] + (c,) + value[i + 1:]) if seqtype is tuple
                else seqtype(value[:i] + [c] + value[i + 1:]) for c in _simpler(item)]
    return out


class Shrinker:
    """Delta debugging on a failing sequence: drop chunks of ops, then single
    ops, then simplify op arguments and setup parameters, until nothing
    simpler still fails the same way (same Divergence.signature())."""

    def __init__(self, pair: Pair, valid: Callable[[Sequence], bool] = lambda seq: True,
                 budget: int = 2000):
        self.pair = pair
        self.valid = valid  # whether a simplified sequence is still one the generator makes
        self.budget = budget

    def shrink(self, seq: Sequence, div: Divergence) -> tuple[Sequence, Divergence]:
        self.target = div.signature()
        self.best = (seq, div)
        self.spent = 0
        if 0 <= div.index - 1 < len(seq.ops):
            # Steps after the divergence cannot matter (entry 0 is construct).
            self._try(seq.replace(ops=seq.ops[:div.index]))
        for _ in range(4):
            before = self.best[0]
            self._ddmin()
            self._simplify_args()
            self._simplify_params()
            if self.best[0].probe_tell:
                self._try(self.best[0].replace(probe_tell=False))
            if self.best[0] == before or self.spent >= self.budget:
                break
        return self.best

    def _try(self, candidate: Sequence) -> bool:
        if self.spent >= self.budget or not self.valid(candidate):
            return False
        self.spent += 1
        div = self.pair.check(candidate)
        if div is not None and div.signature() == self.target:
            self.best = (candidate, div)
            return True
        return False

    def _ddmin(self) -> None:
        n = 2
        while len(self.best[0].ops) >= 1:
            ops = self.best[0].ops
            chunk = max(1, (len(ops) + n - 1) // n)
            for start in range(0, len(ops), chunk):
                if self._try(self.best[0].replace(ops=ops[:start] + ops[start + chunk:])):
                    n = max(n - 1, 2)
                    break
            else:
                if chunk == 1:
                    return
                n = min(len(ops), 2 * n)

    def _simplify_args(self) -> None:
        for i in range(len(self.best[0].ops)):
            for j in range(len(self.best[0].ops[i].args)):
                def with_arg(value, i=i, j=j):
                    op = self.best[0].ops[i]
                    ops = list(self.best[0].ops)
                    ops[i] = Op(op.template, op.args[:j] + (value,) + op.args[j + 1:])
                    return self.best[0].replace(ops=ops)
                self._simplest(lambda i=i, j=j: self.best[0].ops[i].args[j], with_arg)

    def _simplify_params(self) -> None:
        for key in list(self.best[0].params):
            def with_param(value, key=key):
                return self.best[0].replace(params={**self.best[0].params, key: value})
            self._simplest(lambda key=key: self.best[0].params[key], with_param)

    def _simplest(self, current: Callable, rebuilt: Callable) -> None:
        """Replaces a value by simpler ones for as long as one still fails."""
        progress = True
        while progress:
            progress = any(self._try(rebuilt(c)) for c in _simpler(current()))


# ---------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------

def describe(div: Divergence, oracle_name: str, other_name: str) -> str:
    lines = [f"step {div.index} `{div.label}`: {div.field} differs"]
    if div.detail:
        lines.append(textwrap.indent(div.detail.rstrip(), "    "))
    for name, entry in ((oracle_name, div.oracle), (other_name, div.other)):
        if entry is None:
            continue
        _, outcome, message, closed, tell = entry
        text = f"    {name:>9}: {outcome}"
        if message:
            text += f"   [{message}]"
        if closed is not None:
            text += f"   closed={closed} tell={tell}"
        lines.append(text)
    return "\n".join(lines)


SNIPPET_MAIN = '''
def show(entry):
    label, outcome, message, closed, tell = entry
    text = repr(outcome) + (f"  [{message}]" if message else "")
    if closed is not None:
        text += f"  closed={closed!r} tell={tell!r}"
    return text


if __name__ == "__main__":
    import faulthandler
    import io
    import @OTHER@
    faulthandler.enable()
    for which, limit in ((resource.RLIMIT_FSIZE, @LIMIT@), (resource.RLIMIT_AS, @MEMORY@)):
        resource.setrlimit(which, (limit, resource.getrlimit(which)[1]))
    oracle, other = run(io), run(@OTHER@)
    for i, (a, b) in enumerate(zip(oracle, other)):
        same = a[1:2] + a[3:] == b[1:2] + b[3:] and (
            not @MESSAGES@ or a[1][0] != "raise" or normal_message(a[2]) == normal_message(b[2]))
        print(("    " if same else "!!  ") + f"{i}: {a[0]}")
        print(f"        io: {show(a)}")
        if not same:
            print(f"        @OTHER@: {show(b)}")
    print("The harness reported: entry @INDEX@, @FIELD@.")
'''


# What every run() uses, whatever its ops.
_PRELUDE_CORE = {"Log", "norm", "raised", "open_fd_count"}


def prelude_for(run: str) -> str:
    """The parts of prelude.py that `run` needs: its imports, the core and
    every function or class whose name the run source mentions."""
    tree = ast.parse(PRELUDE_SOURCE)
    source = {node: ast.get_source_segment(PRELUDE_SOURCE, node) for node in tree.body}
    named = {node.name: node for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    named.update({target.id: node for node in tree.body if isinstance(node, ast.Assign)
                  for target in node.targets if isinstance(target, ast.Name)})
    needed, texts = set(), [run]
    while texts:  # what the texts mention, and what that mentions in turn
        text = texts.pop()
        for name, node in named.items():
            if name not in needed and (name in _PRELUDE_CORE or re.search(rf"\b{name}\b", text)):
                needed.add(name)
                texts.append(source[node])
    return "\n\n\n".join(source[node] for node in tree.body
                          if isinstance(node, (ast.Import, ast.ImportFrom))
                          or any(named.get(n) is node for n in needed))


def snippet(seq: Sequence, setup: Setup, div: Divergence, other_module: str,
            binding_path: str | None) -> str:
    """A self-contained script that runs seq on io and on the module under
    test and prints both, marking the steps where they differ."""
    head = [
        f"# Differential failure {seq.origin} ({seq.cls}), shrunk to {len(seq.ops)} step(s).",
        (f"# The harness saw the process die: {div.detail.strip()}." if div.field == "crash" else
         f"# The harness saw: {div.field} of `{div.label}` (entry {div.index}) differs."),
        "# Run it with python3; it prints every step, '!!' where io and",
        f"# {other_module} disagree.",
        "import os, resource, sys",
    ]
    if other_module == "libpyio":
        lib = os.environ.get("LIBPYIO")
        if lib:
            head.append(f"os.environ.setdefault('LIBPYIO', {lib!r})")
        if binding_path:
            head.append(f"sys.path.insert(0, {binding_path!r})")
    run = run_source(seq, setup)
    messages = ""
    if seq.compare_messages:  # the comparison of messages, as the harness makes it
        messages = ("\n\nimport re\n_ARITY = re.compile(" + repr(_ARITY.pattern) + ")\n\n\n"
                    + inspect.getsource(normal_message))
    return ("\n".join(head) + "\nimport pathlib, shutil, tempfile\n" + prelude_for(run)
            + messages + "\n\n" + run
            + SNIPPET_MAIN.replace("@OTHER@", other_module)
            .replace("@MESSAGES@", str(seq.compare_messages))
            .replace("@LIMIT@", str(FILE_SIZE_LIMIT)).replace("@MEMORY@", str(MEMORY_LIMIT))
            .replace("@INDEX@", str(div.index)).replace("@FIELD@", div.field))


def seeded(*parts) -> random.Random:
    """A generator seeded from parts, stable across runs and Python versions."""
    return random.Random("/".join(str(p) for p in parts))
