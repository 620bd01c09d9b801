// open(): Python's built-in open() (io.open), which validates its arguments
// and stacks the layers -- FileIO, then a buffered class, then, for text
// modes, TextIOWrapper.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "fileio.h"
#include "iobase.h"

namespace pyio {

// Python's `file` argument: a path (bytes, as os.fsencode gives it) or a
// descriptor.
using OpenFile = std::variant<std::string_view, int>;

// open(file, mode, buffering, encoding, errors, newline, closefd, opener).
// nullopt is Python's None.  Returns what Python returns: the FileIO itself
// for buffering 0, else a BufferedRandom ('+' modes), BufferedWriter (w, x,
// a) or BufferedReader (r) over it, in a TextIOWrapper for text modes.  buffering < 0 picks st_blksize, at least
// kDefaultBufferSize and at most 8 MiB; buffering 1 in a binary mode, for
// which Python emits a RuntimeWarning, does the same silently.  buffering
// must fit a C int (OverflowError), as Python's does.
//
// The arguments are checked in CPython's order, so each misuse reports
// CPython's error; those that need no file are checked before anything is
// opened.  Whatever fails after the FileIO exists closes it again (for a
// descriptor with closefd, that closes the descriptor, as in Python).
//
// Text modes return a TextIOWrapper over the buffered object, with line
// buffering for buffering 1 or a terminal, and `mode` set to the mode string.
// Its encoding, errors and newline are checked before the file is opened
// (CPython opens first), so a bad one never creates or truncates a file.
Ref<IOBase> open(const OpenFile& file, std::string_view mode, int64_t buffering,
                 std::optional<std::string_view> encoding, std::optional<std::string_view> errors,
                 std::optional<std::string_view> newline, bool closefd,
                 const FileIO::Opener& opener);

}  // namespace pyio
