#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/<target>/ (seed-*), each spelled
out in the input layout its target reads (see the top of fuzz_<target>.cpp).
Inputs the fuzzer found are added beside them under other names; this script
leaves those alone.

    python3 fuzz/seeds.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# The orders of fuzz_input.h's kEncodings and kErrorHandlers.
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
             "utf-32-le", "utf-32-be", "ascii", "latin-1", "cp1252", "iso-8859-2",
             "iso-8859-5", "iso-8859-7", "iso-8859-8", "iso-8859-15", "cp437", "koi8-r",
             "mac-roman", "shift_jis", "cp932", "euc-jp", "iso-2022-jp", "gb2312",
             "gbk", "gb18030", "big5", "cp950", "euc-kr", "utf-7"]
HANDLERS = ["strict", "ignore", "replace", "backslashreplace", "surrogateescape",
            "surrogatepass", "xmlcharrefreplace", "namereplace"]


def enc(name):
    return ENCODINGS.index(name)


def counted(data):
    assert len(data) < 256
    return bytes([len(data)]) + data


def write(target, name, data):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "seed-" + name), "wb") as f:
        f.write(data)


# ---- codecs: encoding, handler, flags (1 encode, 2 final alone), restarts,
# number of pieces, their sizes, payload ----

def codecs_seed(name, encoding, handler, encode, payload, sizes=(1, 1, 1), restarts=0, final_alone=False):
    flags = (1 if encode else 0) | (2 if final_alone else 0)
    head = bytes([enc(encoding), HANDLERS.index(handler), flags, restarts, len(sizes), *sizes])
    write("codecs", name, head + payload)


def text_for_encoder(s):
    """The encoder payload for `s`: ASCII as itself, other code points as the
    two-byte forms of fuzz_codecs.cpp's code_points() (those it can reach)."""
    out = b""
    for ch in s:
        cp = ord(ch)
        if cp < 0x80:
            out += bytes([cp])
        elif cp < 0x180:
            out += bytes([0x80, cp - 0x80])
        elif 0x100 <= cp < 0x2100:
            out += bytes([0xa0 | (cp - 0x100) >> 8, (cp - 0x100) & 0xff])
        elif 0x3000 <= cp < 0xb000 and cp % 4 == 0:
            out += bytes([0xc0 | (cp - 0x3000) // 4 >> 8, (cp - 0x3000) // 4 & 0xff])
        elif cp % 0x101 == 0 and cp < 0x10000:
            out += bytes([0xe0, cp // 0x101])
        else:
            raise ValueError(hex(cp))
    return out


codecs_seed("utf8-pieces", "utf-8", "strict", False, "hé€!😀".encode(), sizes=(1, 2, 1, 3))
codecs_seed("utf8-invalid-replace", "utf-8", "replace", False, b"\xe0\x80a\xff\xed\xa0\x80\xf0\x9f", sizes=(2, 2))
codecs_seed("utf8-invalid-strict", "utf-8", "strict", False, b"ab\xf0\x9f\x98", sizes=(3, 1))
codecs_seed("utf16-bom-escape", "utf-16", "surrogateescape", False, "\ufeffab😀".encode("utf-16-le") + b"\x00\xd8",
            sizes=(1, 3, 1), restarts=0xff)
codecs_seed("utf32-pass", "utf-32-be", "surrogatepass", False, b"\x00\x00\xd8\x00\x00\x00\x00a", sizes=(3, 3))
codecs_seed("iso2022jp-shift", "iso-2022-jp", "strict", False, b"\x1b$B$3$s\x1b(Bab", sizes=(1, 1, 1, 1, 2),
            restarts=0x2a)
codecs_seed("utf7-base64", "utf-7", "replace", False, b"+AGEAYgBj-x+2D3eAA-+", sizes=(2, 5, 1), restarts=0x15)
codecs_seed("shiftjis-halves", "shift_jis", "backslashreplace", False, "日本語".encode("shift_jis") + b"\x81",
            sizes=(1, 1, 1), final_alone=True)
codecs_seed("gb18030-four-byte", "gb18030", "strict", False, "é😀".encode("gb18030"), sizes=(1, 2, 1, 1))
codecs_seed("cp1252-undefined", "cp1252", "surrogateescape", False, b"caf\xe9 \x81\x80", sizes=(4,))
codecs_seed("enc-gb18030-emoji", "gb18030", "strict", True, text_for_encoder("aé\u0900") + b"\xc1\x00\xe0\xd8",
            sizes=(1, 1))
codecs_seed("enc-ascii-backslash", "ascii", "backslashreplace", True, text_for_encoder("caf\u00e9 \u0130"),
            sizes=(2, 2, 2))
codecs_seed("enc-sjis-xmlref", "shift_jis", "xmlcharrefreplace", True, text_for_encoder("a\u00e9\u0391b"),
            sizes=(1, 2))
codecs_seed("enc-cp1252-namereplace", "cp1252", "namereplace", True, text_for_encoder("\u0100x\u20ac"), sizes=(1,))
codecs_seed("enc-utf16-surrogate", "utf-16", "surrogatepass", True, b"a\xe0\xd8b", sizes=(1, 1), restarts=0x3)
codecs_seed("enc-iso2022jp", "iso-2022-jp", "strict", True, text_for_encoder("a\u3044b"), sizes=(1, 1, 1))
codecs_seed("enc-utf7", "utf-7", "strict", True, text_for_encoder("a\u00e9\u00e9+b"), sizes=(1, 1, 2),
            final_alone=True)

# ---- text_seek: encoding, errors (strict replace surrogateescape ignore),
# newline (None "" "\n" "\r" "\r\n"), chunk size, contents, operations:
#   0 seek: kind (0 wide, else small) + fields, whence    1 read n
#   2 tell, read n, seek back, read n again                3 readline ----

def small_cookie(start, flags=0, feed=0, skip=0, eof=0, whence=0):
    return bytes([0, 1, start & 0xff, flags, feed, skip, eof, whence])


def wide_cookie(start, flags, feed, skip, eof, whence=0):
    return (bytes([0, 0]) + start.to_bytes(8, "big", signed=True) + flags.to_bytes(4, "big") +
            feed.to_bytes(4, "big") + skip.to_bytes(4, "big") + eof.to_bytes(4, "big") + bytes([whence]))


def text_seek_seed(name, encoding, contents, ops, errors=0, newline=0, chunk=3):
    write("text_seek", name, bytes([enc(encoding), errors, newline, chunk]) + counted(contents) + ops)


text_seek_seed("utf8-tell-roundtrip", "utf-8", "héllo\r\nwörld\n€€".encode(),
               bytes([1, 3, 2, 4, 3, 2, 2]) + small_cookie(2, skip=1) + bytes([1, 4]))
text_seek_seed("utf16-bad-cookies", "utf-16", "ab\ncd".encode("utf-16"),
               small_cookie(3) + bytes([1, 2]) + wide_cookie(-1, 0xffffffff, 0xffffffff, 0xffffffff, 1) +
               bytes([2, 3]) + wide_cookie(2, 7, 100, 5, 2, whence=1))
text_seek_seed("sjis-skip", "shift_jis", "日本語テキスト\n".encode("shift_jis"),
               bytes([1, 2, 2, 1]) + small_cookie(1, feed=3, skip=2) + bytes([2, 5]), chunk=1)
text_seek_seed("iso2022jp-state", "iso-2022-jp", "aあいb\nc".encode("iso-2022-jp"),
               bytes([1, 2, 2, 2]) + small_cookie(3, flags=1, feed=2, skip=1, eof=1) + bytes([3]))
text_seek_seed("utf7-pending", "utf-7", "a€€b\r\n".encode("utf-7"),
               bytes([2, 1, 1, 1]) + small_cookie(2, flags=3, feed=4, skip=7) + bytes([2, 3]), newline=1, chunk=2)
text_seek_seed("gb18030-eof", "gb18030", "é😀x".encode("gb18030") + b"\x81",
               wide_cookie(1 << 62, 0, 0, 0, 0) + small_cookie(0, eof=2) + bytes([1, 7, 2, 1]), errors=1)

# ---- faults: scenario (0 writer, 1 random, 2 text, 3 chaos), buffer size
# index (1 2 3 8 16 64 4096), fault script (per raw call, byte % 8: 3 short,
# 4 would block, 5 EINTR, 6 ENOSPC, 7 EIO, else none), operations ----

def faults_seed(name, scenario, size_index, script, ops):
    write("faults", name, bytes([scenario, size_index]) + counted(script) + ops)


# writer: op byte % 4 == 0 flush, else write of the next byte's length (> 200: (n - 200) * 64)
faults_seed("writer-short-block", 0, 3, bytes([3 | 0x40, 4, 0, 3 | 0x18]),
            bytes([1, 10, 1, 20, 0, 1, 5, 1, 210, 0, 2, 3]))
faults_seed("writer-errors", 0, 2, bytes([0, 6, 0, 7, 5, 3]),
            bytes([1, 30, 0, 1, 205, 1, 7, 0, 0, 1, 1]))
faults_seed("writer-seekable-direct", 0, 4, bytes([3 | 0x20, 7, 0]),
            bytes([1]) + bytes([1, 220, 1, 5, 0, 1, 230, 0]))
# random: errors in reads and seeks (flag), the initial size, then
# 0 write, 1 read n, 2 seek whence offset, 3 tell, 4 flush, 5 read1 n
faults_seed("random-mixed", 1, 3, bytes([3 | 0x28, 0, 4, 0, 3, 4, 7]),
            bytes([1, 10]) + bytes([0, 12, 1, 5, 2, 0, 2, 0, 20, 3, 1, 9, 2, 2, 0xfe, 0, 3, 5, 6, 4, 3]))
faults_seed("random-blocking-flush", 1, 2, bytes([4, 4, 0, 3]),
            bytes([0, 0]) + bytes([0, 9, 4, 2, 1, 3, 0, 7, 1, 4, 4, 3, 2, 0, 0, 1, 30]))
# text: 0 write pieces, 1 flush, 2 tell (chaos also 3 read, 4 seek 0, 5 readline)
faults_seed("text-short", 2, 1, bytes([3, 0, 3 | 0x30]),
            bytes([0, 0, 5]) + bytes([0, 6, 2, 3, 4, 5, 6, 7, 1, 2, 0, 3, 8, 9, 2]))
faults_seed("chaos-utf16", 3, 2, bytes([3, 4, 5, 6, 7, 0, 0]),
            bytes([1, 0, 1, 4]) + bytes([0, 5, 1, 2, 3, 4, 5, 3, 4, 4, 0, 5, 0, 3, 1, 2, 1]))

# ---- open: by descriptor, file exists, initial contents, mode (flag: common
# index, else length and alphabet indices), NULL mode, buffering index,
# encoding, errors, newline (0 None, 1 counted bytes, else known index),
# [descriptor flags, closefd], operations ----

def open_seed(name, by_fd, exists, initial, mode, buffering, encoding, errors, newline, ops, fd=b""):
    write("open", name, bytes([by_fd, exists]) + counted(initial) + mode + bytes([1, buffering]) + encoding +
          errors + newline + fd + ops)


COMMON = ["r", "w", "a", "x", "r+", "w+", "a+", "x+", "rb", "wb", "ab", "xb", "rb+", "wb+", "ab+", "rt", "wt",
          "at+", "U", ""]


def common(mode):
    return bytes([1, COMMON.index(mode)])


def known(index):
    return bytes([2, index])


NONE = bytes([0])
open_seed("text-rw-utf16", 0, 1, "ab\r\ncd\n".encode("utf-16"), common("r+"), 3, known(enc("utf-16")),
          known(HANDLERS.index("replace")), known(3),
          bytes([1, 1, 3, 2, 0, 0, 4, 1, 7, 3, 0, 2, 13, 1, 1]))
open_seed("binary-write-read", 0, 0, b"", common("wb+"), 5, NONE, NONE, NONE,
          bytes([0, 8, 1] + list(b"abcdefgh") + [3, 0, 0, 1, 0, 4, 9, 3, 10, 2, 5, 1, 6]))
open_seed("bad-arguments", 0, 1, b"x", bytes([0, 3, 0, 0, 0]), 1, bytes([1, 3]) + b"zz\xff", known(99), NONE, b"")
open_seed("fd-append-text", 1, 1, b"line\n", common("a"), 2, known(enc("shift_jis")), NONE, NONE,
          bytes([3, 1, 0, 3, 0, 1, 2, 6, 11, 1, 1, 2, 1, 1, 2, 2, 8]), fd=bytes([3, 1]))
open_seed("fd-unbuffered-text", 1, 1, b"", common("w"), 2, NONE, NONE, NONE, b"", fd=bytes([1, 0]))
open_seed("exclusive-exists", 0, 1, b"", common("x+"), 0, NONE, NONE, bytes([1, 2]) + b"\r\x00", b"")
