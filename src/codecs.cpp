// The codec registry (Python's codecs.lookup()) and the built-in error
// handlers (Python/codecs.c), shared by every codec.
#include "codecs.h"

#include <langinfo.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "error.h"
#include "utf8.h"

namespace pyio {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

struct HandlerName {
    const char* name;
    ErrorHandler handler;
};
constexpr HandlerName kHandlers[] = {
    {"strict", ErrorHandler::Strict},
    {"ignore", ErrorHandler::Ignore},
    {"replace", ErrorHandler::Replace},
    {"backslashreplace", ErrorHandler::BackslashReplace},
    {"surrogateescape", ErrorHandler::SurrogateEscape},
    {"surrogatepass", ErrorHandler::SurrogatePass},
    {"xmlcharrefreplace", ErrorHandler::XmlCharRefReplace},
    {"namereplace", ErrorHandler::NameReplace},
};

// ---- surrogatepass: which UTF codec an error names (get_standard_encoding) ----

enum class StandardEncoding { Unknown, Utf8, Utf16Be, Utf16Le, Utf32Be, Utf32Le };

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Python recognises the UTF codecs by the name the codec puts in the error
// ("utf-8", "utf-16-le", "utf_32", "UTF16BE"...); the byte length of one
// surrogate goes to `bytes`.
StandardEncoding standard_encoding(std::string_view e, size_t& bytes) noexcept {
    auto at = [&](size_t i) { return i < e.size() ? e[i] : '\0'; };
    if (e == "CP_UTF8") {  // Windows' code page 65001
        bytes = 3;
        return StandardEncoding::Utf8;
    }
    if (lower(at(0)) != 'u' || lower(at(1)) != 't' || lower(at(2)) != 'f') return StandardEncoding::Unknown;
    size_t i = 3;
    if (at(i) == '-' || at(i) == '_') ++i;
    auto order = [&](size_t j, StandardEncoding le, StandardEncoding be) {
        if (j == e.size()) return le;  // no suffix: this machine's order, little-endian
        if (at(j) == '-' || at(j) == '_') ++j;
        if (j + 2 == e.size() && lower(at(j + 1)) == 'e') {
            if (lower(at(j)) == 'b') return be;
            if (lower(at(j)) == 'l') return le;
        }
        return StandardEncoding::Unknown;
    };
    if (at(i) == '8' && i + 1 == e.size()) {
        bytes = 3;
        return StandardEncoding::Utf8;
    }
    if (at(i) == '1' && at(i + 1) == '6') {
        bytes = 2;
        return order(i + 2, StandardEncoding::Utf16Le, StandardEncoding::Utf16Be);
    }
    if (at(i) == '3' && at(i + 1) == '2') {
        bytes = 4;
        return order(i + 2, StandardEncoding::Utf32Le, StandardEncoding::Utf32Be);
    }
    return StandardEncoding::Unknown;
}

// ---- namereplace ----

// The Unicode version of Python 3.11's unicodedata; ICU may know later ones.
constexpr int kPythonUnicodeMajor = 14;

// The character's name as Python's unicodedata gives it, into buf; false if
// it has none (control characters, unassigned code points, surrogates...).
// Equal to Python 3.11's namereplace for every code point but those of
// U+F0000..U+F03A2, where Python's lookup leaks the names of its internal
// alias and named-sequence tables ('\U000f0000' gives \N{NULL}).
bool character_name(char32_t cp, char* buf, int32_t size) noexcept {
    UVersionInfo age;
    u_charAge(static_cast<UChar32>(cp), age);
    if (age[0] == 0 || age[0] > kPythonUnicodeMajor) return false;
    // Python 3.11 derives no names for the Tangut ideographs, which
    // UnicodeData.txt lists as ranges; ICU does.
    if ((cp >= 0x17000 && cp <= 0x187ff) || (cp >= 0x18d00 && cp <= 0x18d7f)) return false;
    UErrorCode status = U_ZERO_ERROR;
    int32_t n = u_charName(static_cast<UChar32>(cp), U_UNICODE_CHAR_NAME, buf, size, &status);
    return U_SUCCESS(status) && n > 0 && n < size;
}

void append_backslash_escape(std::string& out, char32_t cp) {
    char buf[16];
    int n;
    if (cp >= 0x10000)
        n = std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
    else if (cp >= 0x100)
        n = std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
    else
        n = std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
    out.append(buf, static_cast<size_t>(n));
}

// The code point at text[i] (valid generalized UTF-8), advancing i.
char32_t next_code_point(std::string_view text, size_t& i) noexcept {
    int32_t cp = utf8::decode(text, i);
    if (cp < 0) return static_cast<unsigned char>(text[i++]);  // not valid: never for well-formed text
    return static_cast<char32_t>(cp);
}

// ---- the registry ----

// encodings.aliases.aliases of CPython 3.11: normalised alias -> module.
struct Alias {
    const char* alias;
    const char* module;
};
constexpr Alias kAliases[] = {
    {"037", "cp037"}, {"1026", "cp1026"}, {"1125", "cp1125"}, {"1140", "cp1140"},
    {"1250", "cp1250"}, {"1251", "cp1251"}, {"1252", "cp1252"}, {"1253", "cp1253"},
    {"1254", "cp1254"}, {"1255", "cp1255"}, {"1256", "cp1256"}, {"1257", "cp1257"},
    {"1258", "cp1258"}, {"273", "cp273"}, {"424", "cp424"}, {"437", "cp437"},
    {"500", "cp500"}, {"646", "ascii"}, {"775", "cp775"}, {"850", "cp850"},
    {"852", "cp852"}, {"855", "cp855"}, {"857", "cp857"}, {"858", "cp858"},
    {"860", "cp860"}, {"861", "cp861"}, {"862", "cp862"}, {"863", "cp863"},
    {"864", "cp864"}, {"865", "cp865"}, {"866", "cp866"}, {"869", "cp869"},
    {"8859", "latin_1"}, {"932", "cp932"}, {"949", "cp949"}, {"950", "cp950"},
    {"ansi_x3.4_1968", "ascii"}, {"ansi_x3.4_1986", "ascii"}, {"ansi_x3_4_1968", "ascii"},
    {"arabic", "iso8859_6"}, {"asmo_708", "iso8859_6"}, {"base64", "base64_codec"},
    {"base_64", "base64_codec"}, {"big5_hkscs", "big5hkscs"}, {"big5_tw", "big5"},
    {"bz2", "bz2_codec"}, {"chinese", "gb2312"}, {"cp1051", "hp_roman8"},
    {"cp154", "ptcp154"}, {"cp367", "ascii"}, {"cp65001", "utf_8"}, {"cp819", "latin_1"},
    {"cp866u", "koi8_u"}, {"cp936", "gbk"}, {"cp_gr", "cp869"}, {"cp_is", "cp861"},
    {"csascii", "ascii"}, {"csbig5", "big5"}, {"cseuckr", "euc_kr"}, {"cshproman8", "hp_roman8"},
    {"csibm037", "cp037"}, {"csibm1026", "cp1026"}, {"csibm273", "cp273"},
    {"csibm424", "cp424"}, {"csibm500", "cp500"}, {"csibm855", "cp855"},
    {"csibm857", "cp857"}, {"csibm858", "cp858"}, {"csibm860", "cp860"},
    {"csibm861", "cp861"}, {"csibm863", "cp863"}, {"csibm864", "cp864"},
    {"csibm865", "cp865"}, {"csibm866", "cp866"}, {"csibm869", "cp869"},
    {"csiso2022jp", "iso2022_jp"}, {"csiso2022jp2", "iso2022_jp_2"},
    {"csiso2022kr", "iso2022_kr"}, {"csiso58gb231280", "gb2312"},
    {"csisolatin1", "latin_1"}, {"csisolatin2", "iso8859_2"}, {"csisolatin3", "iso8859_3"},
    {"csisolatin4", "iso8859_4"}, {"csisolatin5", "iso8859_9"}, {"csisolatin6", "iso8859_10"},
    {"csisolatinarabic", "iso8859_6"}, {"csisolatincyrillic", "iso8859_5"},
    {"csisolatingreek", "iso8859_7"}, {"csisolatinhebrew", "iso8859_8"},
    {"cskoi8r", "koi8_r"}, {"cspc775baltic", "cp775"}, {"cspc850multilingual", "cp850"},
    {"cspc862latinhebrew", "cp862"}, {"cspc8codepage437", "cp437"}, {"cspcp852", "cp852"},
    {"csptcp154", "ptcp154"}, {"csshiftjis", "shift_jis"},
    {"cyrillic", "iso8859_5"}, {"cyrillic_asian", "ptcp154"}, {"ebcdic_cp_be", "cp500"},
    {"ebcdic_cp_ca", "cp037"}, {"ebcdic_cp_ch", "cp500"}, {"ebcdic_cp_he", "cp424"},
    {"ebcdic_cp_nl", "cp037"}, {"ebcdic_cp_us", "cp037"}, {"ebcdic_cp_wt", "cp037"},
    {"ecma_114", "iso8859_6"}, {"ecma_118", "iso8859_7"}, {"elot_928", "iso8859_7"},
    {"eucgb2312_cn", "gb2312"}, {"eucjis2004", "euc_jis_2004"}, {"eucjisx0213", "euc_jisx0213"},
    {"eucjp", "euc_jp"}, {"euckr", "euc_kr"}, {"gb18030_2000", "gb18030"},
    {"gb2312_1980", "gb2312"}, {"gb2312_80", "gb2312"}, {"greek", "iso8859_7"},
    {"greek8", "iso8859_7"}, {"hebrew", "iso8859_8"}, {"hex", "hex_codec"},
    {"hkscs", "big5hkscs"}, {"hz_gb", "hz"}, {"hz_gb_2312", "hz"}, {"ibm037", "cp037"},
    {"ibm039", "cp037"}, {"ibm1026", "cp1026"}, {"ibm1125", "cp1125"}, {"ibm1140", "cp1140"},
    {"ibm273", "cp273"}, {"ibm367", "ascii"}, {"ibm424", "cp424"}, {"ibm437", "cp437"},
    {"ibm500", "cp500"}, {"ibm775", "cp775"}, {"ibm819", "latin_1"}, {"ibm850", "cp850"},
    {"ibm852", "cp852"}, {"ibm855", "cp855"}, {"ibm857", "cp857"}, {"ibm858", "cp858"},
    {"ibm860", "cp860"}, {"ibm861", "cp861"}, {"ibm862", "cp862"}, {"ibm863", "cp863"},
    {"ibm864", "cp864"}, {"ibm865", "cp865"}, {"ibm866", "cp866"}, {"ibm869", "cp869"},
    {"iso2022jp", "iso2022_jp"}, {"iso2022jp_1", "iso2022_jp_1"},
    {"iso2022jp_2", "iso2022_jp_2"}, {"iso2022jp_2004", "iso2022_jp_2004"},
    {"iso2022jp_3", "iso2022_jp_3"}, {"iso2022jp_ext", "iso2022_jp_ext"},
    {"iso2022kr", "iso2022_kr"}, {"iso_2022_jp", "iso2022_jp"}, {"iso_2022_jp_1", "iso2022_jp_1"},
    {"iso_2022_jp_2", "iso2022_jp_2"}, {"iso_2022_jp_2004", "iso2022_jp_2004"},
    {"iso_2022_jp_3", "iso2022_jp_3"}, {"iso_2022_jp_ext", "iso2022_jp_ext"},
    {"iso_2022_kr", "iso2022_kr"}, {"iso_646.irv_1991", "ascii"}, {"iso_8859_1", "latin_1"},
    {"iso_8859_10", "iso8859_10"}, {"iso_8859_10_1992", "iso8859_10"},
    {"iso_8859_11", "iso8859_11"}, {"iso_8859_11_2001", "iso8859_11"},
    {"iso_8859_13", "iso8859_13"}, {"iso_8859_14", "iso8859_14"},
    {"iso_8859_14_1998", "iso8859_14"}, {"iso_8859_15", "iso8859_15"},
    {"iso_8859_16", "iso8859_16"}, {"iso_8859_16_2001", "iso8859_16"},
    {"iso_8859_1_1987", "latin_1"}, {"iso_8859_2", "iso8859_2"},
    {"iso_8859_2_1987", "iso8859_2"}, {"iso_8859_3", "iso8859_3"},
    {"iso_8859_3_1988", "iso8859_3"}, {"iso_8859_4", "iso8859_4"},
    {"iso_8859_4_1988", "iso8859_4"}, {"iso_8859_5", "iso8859_5"},
    {"iso_8859_5_1988", "iso8859_5"}, {"iso_8859_6", "iso8859_6"},
    {"iso_8859_6_1987", "iso8859_6"}, {"iso_8859_7", "iso8859_7"},
    {"iso_8859_7_1987", "iso8859_7"}, {"iso_8859_8", "iso8859_8"},
    {"iso_8859_8_1988", "iso8859_8"}, {"iso_8859_9", "iso8859_9"},
    {"iso_8859_9_1989", "iso8859_9"}, {"iso_celtic", "iso8859_14"},
    {"iso_ir_100", "latin_1"}, {"iso_ir_101", "iso8859_2"}, {"iso_ir_109", "iso8859_3"},
    {"iso_ir_110", "iso8859_4"}, {"iso_ir_126", "iso8859_7"}, {"iso_ir_127", "iso8859_6"},
    {"iso_ir_138", "iso8859_8"}, {"iso_ir_144", "iso8859_5"}, {"iso_ir_148", "iso8859_9"},
    {"iso_ir_157", "iso8859_10"}, {"iso_ir_166", "tis_620"}, {"iso_ir_199", "iso8859_14"},
    {"iso_ir_226", "iso8859_16"}, {"iso_ir_58", "gb2312"}, {"iso_ir_6", "ascii"},
    {"jisx0213", "shift_jisx0213"}, {"korean", "euc_kr"}, {"ks_c_5601", "euc_kr"},
    {"ks_c_5601_1987", "euc_kr"}, {"ks_x_1001", "euc_kr"}, {"ksc5601", "euc_kr"},
    {"ksx1001", "euc_kr"}, {"kz_1048", "kz1048"}, {"l1", "latin_1"}, {"l10", "iso8859_16"},
    {"l2", "iso8859_2"}, {"l3", "iso8859_3"}, {"l4", "iso8859_4"}, {"l5", "iso8859_9"},
    {"l6", "iso8859_10"}, {"l7", "iso8859_13"}, {"l8", "iso8859_14"}, {"l9", "iso8859_15"},
    {"latin", "latin_1"}, {"latin1", "latin_1"}, {"latin10", "iso8859_16"},
    {"latin2", "iso8859_2"}, {"latin3", "iso8859_3"}, {"latin4", "iso8859_4"},
    {"latin5", "iso8859_9"}, {"latin6", "iso8859_10"}, {"latin7", "iso8859_13"},
    {"latin8", "iso8859_14"}, {"latin9", "iso8859_15"}, {"maccentraleurope", "mac_latin2"},
    {"maccyrillic", "mac_cyrillic"}, {"macgreek", "mac_greek"}, {"maciceland", "mac_iceland"},
    {"macintosh", "mac_roman"}, {"maclatin2", "mac_latin2"}, {"macroman", "mac_roman"},
    {"macturkish", "mac_turkish"}, {"ms1361", "johab"}, {"ms932", "cp932"},
    {"ms936", "gbk"}, {"ms949", "cp949"}, {"ms950", "cp950"}, {"ms_kanji", "cp932"},
    {"msbcs", "mbcs"}, {"pt154", "ptcp154"}, {"quopri", "quopri_codec"},
    {"quoted_printable", "quopri_codec"}, {"quotedprintable", "quopri_codec"},
    {"r8", "hp_roman8"}, {"rk1048", "kz1048"}, {"roman8", "hp_roman8"}, {"rot13", "rot_13"},
    {"s_jis", "shift_jis"}, {"s_jis_2004", "shift_jis_2004"}, {"s_jisx0213", "shift_jisx0213"},
    {"shiftjis", "shift_jis"}, {"shiftjis2004", "shift_jis_2004"},
    {"shiftjisx0213", "shift_jisx0213"}, {"sjis", "shift_jis"}, {"sjis_2004", "shift_jis_2004"},
    {"sjisx0213", "shift_jisx0213"}, {"strk1048_2002", "kz1048"}, {"tis260", "tactis"},
    {"tis620", "tis_620"}, {"tis_620_0", "tis_620"}, {"tis_620_2529_0", "tis_620"},
    {"tis_620_2529_1", "tis_620"}, {"u16", "utf_16"}, {"u32", "utf_32"}, {"u7", "utf_7"},
    {"u8", "utf_8"}, {"uhc", "cp949"}, {"unicode_1_1_utf_7", "utf_7"},
    {"unicodebigunmarked", "utf_16_be"}, {"unicodelittleunmarked", "utf_16_le"},
    {"us", "ascii"}, {"us_ascii", "ascii"}, {"utf", "utf_8"}, {"utf16", "utf_16"},
    {"utf32", "utf_32"}, {"utf7", "utf_7"}, {"utf8", "utf_8"}, {"utf8_ucs2", "utf_8"},
    {"utf8_ucs4", "utf_8"}, {"utf_16be", "utf_16_be"}, {"utf_16le", "utf_16_le"},
    {"utf_32be", "utf_32_be"}, {"utf_32le", "utf_32_le"}, {"uu", "uu_codec"},
    {"windows_1250", "cp1250"}, {"windows_1251", "cp1251"}, {"windows_1252", "cp1252"},
    {"windows_1253", "cp1253"}, {"windows_1254", "cp1254"}, {"windows_1255", "cp1255"},
    {"windows_1256", "cp1256"}, {"windows_1257", "cp1257"}, {"windows_1258", "cp1258"},
    {"x_mac_japanese", "shift_jis"}, {"x_mac_korean", "euc_kr"},
    {"x_mac_simp_chinese", "gb2312"}, {"x_mac_trad_chinese", "big5"}, {"zip", "zlib_codec"},
    {"zlib", "zlib_codec"},
};

// What a module of the encodings package is to libpyio.
enum class ModuleKind {
    Native,    // codec_unicode.cpp
    Iconv,     // a translation table or the iconv API, under iconv_name
    Binary,    // bytes-to-bytes codecs: not text encodings
    Missing,   // a Python codec with no counterpart here
};

// The modules of CPython 3.11's encodings package: the module name, the
// codec's name (codecs.lookup(x).name) and how libpyio provides it.  For the
// iconv ones, glibc's name; where glibc's table differs from Python's codec,
// the comment says how (compared over every byte, or every one- and two-byte
// sequence and every BMP character for the multibyte ones).
struct Module {
    const char* module;
    const char* name;
    ModuleKind kind;
    const char* iconv_name;
};
constexpr Module kModules[] = {
    {"ascii", "ascii", ModuleKind::Native, nullptr},
    {"latin_1", "iso8859-1", ModuleKind::Native, nullptr},
    {"iso8859_1", "iso8859-1", ModuleKind::Native, nullptr},
    {"utf_7", "utf-7", ModuleKind::Native, nullptr},
    {"utf_8", "utf-8", ModuleKind::Native, nullptr},
    {"utf_8_sig", "utf-8-sig", ModuleKind::Native, nullptr},
    {"utf_16", "utf-16", ModuleKind::Native, nullptr},
    {"utf_16_be", "utf-16-be", ModuleKind::Native, nullptr},
    {"utf_16_le", "utf-16-le", ModuleKind::Native, nullptr},
    {"utf_32", "utf-32", ModuleKind::Native, nullptr},
    {"utf_32_be", "utf-32-be", ModuleKind::Native, nullptr},
    {"utf_32_le", "utf-32-le", ModuleKind::Native, nullptr},

    // Single-byte charsets: identical to glibc's over all 256 bytes unless noted.
    {"cp037", "cp037", ModuleKind::Iconv, "CP037"},
    {"cp1026", "cp1026", ModuleKind::Iconv, "CP1026"},  // 0x9d U+00B8 / glibc U+02DB; 0xbc U+00AF / U+2014
    {"cp1125", "cp1125", ModuleKind::Iconv, "CP1125"},
    {"cp1140", "cp1140", ModuleKind::Iconv, "CP1140"},
    {"cp1250", "cp1250", ModuleKind::Iconv, "CP1250"},
    {"cp1251", "cp1251", ModuleKind::Iconv, "CP1251"},
    {"cp1252", "cp1252", ModuleKind::Iconv, "CP1252"},
    {"cp1253", "cp1253", ModuleKind::Iconv, "CP1253"},
    {"cp1254", "cp1254", ModuleKind::Iconv, "CP1254"},
    {"cp1255", "cp1255", ModuleKind::Iconv, "CP1255"},
    {"cp1256", "cp1256", ModuleKind::Iconv, "CP1256"},
    {"cp1257", "cp1257", ModuleKind::Iconv, "CP1257"},
    {"cp1258", "cp1258", ModuleKind::Iconv, "CP1258"},
    {"cp273", "cp273", ModuleKind::Iconv, "CP273"},  // 0xbc U+203E / glibc U+00AF
    {"cp424", "cp424", ModuleKind::Iconv, "CP424"},  // 0x78 U+2017 / glibc U+21D4; 0x8f U+00B1 / undefined
    {"cp437", "cp437", ModuleKind::Iconv, "CP437"},
    {"cp500", "cp500", ModuleKind::Iconv, "CP500"},
    {"cp737", "cp737", ModuleKind::Iconv, "CP737"},
    {"cp775", "cp775", ModuleKind::Iconv, "CP775"},
    {"cp850", "cp850", ModuleKind::Iconv, "CP850"},
    {"cp852", "cp852", ModuleKind::Iconv, "CP852"},
    {"cp855", "cp855", ModuleKind::Iconv, "CP855"},
    // 0x1a, 0x1c and 0x7f are three controls permuted; 0xee U+00AF / glibc
    // U+203E; 0xfa U+00B7 / U+2022.
    {"cp856", "cp856", ModuleKind::Iconv, "CP856"},
    {"cp857", "cp857", ModuleKind::Iconv, "CP857"},
    {"cp858", "cp858", ModuleKind::Iconv, "CP858"},
    {"cp860", "cp860", ModuleKind::Iconv, "CP860"},
    {"cp861", "cp861", ModuleKind::Iconv, "CP861"},
    {"cp862", "cp862", ModuleKind::Iconv, "CP862"},
    {"cp863", "cp863", ModuleKind::Iconv, "CP863"},
    {"cp864", "cp864", ModuleKind::Iconv, "CP864"},
    {"cp865", "cp865", ModuleKind::Iconv, "CP865"},
    {"cp866", "cp866", ModuleKind::Iconv, "CP866"},
    {"cp869", "cp869", ModuleKind::Iconv, "CP869"},
    {"cp874", "cp874", ModuleKind::Iconv, "CP874"},
    // Python maps 0xdc 0xe1 0xec 0xed 0xfc 0xfd to U+001A, glibc leaves them
    // undefined; 0x6a '|' / undefined, 0x74 U+00A0 / U+2207, 0xdd U+0387 / U+00B7.
    {"cp875", "cp875", ModuleKind::Iconv, "CP875"},
    {"hp_roman8", "hp-roman8", ModuleKind::Iconv, "HP-ROMAN8"},
    {"iso8859_2", "iso8859-2", ModuleKind::Iconv, "ISO-8859-2"},
    {"iso8859_3", "iso8859-3", ModuleKind::Iconv, "ISO-8859-3"},
    {"iso8859_4", "iso8859-4", ModuleKind::Iconv, "ISO-8859-4"},
    {"iso8859_5", "iso8859-5", ModuleKind::Iconv, "ISO-8859-5"},
    {"iso8859_6", "iso8859-6", ModuleKind::Iconv, "ISO-8859-6"},
    {"iso8859_7", "iso8859-7", ModuleKind::Iconv, "ISO-8859-7"},
    {"iso8859_8", "iso8859-8", ModuleKind::Iconv, "ISO-8859-8"},
    {"iso8859_9", "iso8859-9", ModuleKind::Iconv, "ISO-8859-9"},
    {"iso8859_10", "iso8859-10", ModuleKind::Iconv, "ISO-8859-10"},
    {"iso8859_11", "iso8859-11", ModuleKind::Iconv, "ISO-8859-11"},
    {"iso8859_13", "iso8859-13", ModuleKind::Iconv, "ISO-8859-13"},
    {"iso8859_14", "iso8859-14", ModuleKind::Iconv, "ISO-8859-14"},
    {"iso8859_15", "iso8859-15", ModuleKind::Iconv, "ISO-8859-15"},
    {"iso8859_16", "iso8859-16", ModuleKind::Iconv, "ISO-8859-16"},
    {"koi8_r", "koi8-r", ModuleKind::Iconv, "KOI8-R"},
    {"koi8_t", "koi8-t", ModuleKind::Iconv, "KOI8-T"},
    {"koi8_u", "koi8-u", ModuleKind::Iconv, "KOI8-U"},
    {"kz1048", "kz1048", ModuleKind::Iconv, "RK1048"},
    {"mac_cyrillic", "mac-cyrillic", ModuleKind::Iconv, "MAC-CYRILLIC"},  // 0xff U+20AC / glibc U+00A4
    {"mac_latin2", "mac-latin2", ModuleKind::Iconv, "MAC-CENTRALEUROPE"},
    {"mac_roman", "mac-roman", ModuleKind::Iconv, "MACINTOSH"},  // 0xc6 U+2206 / glibc U+0394; 0xf0 U+F8FF / U+E01E
    {"ptcp154", "ptcp154", ModuleKind::Iconv, "PT154"},
    {"tis_620", "tis-620", ModuleKind::Iconv, "TIS-620"},  // 0x80-0x9f: C1 controls in Python, undefined in glibc

    // Multibyte charsets, compared over every one- and two-byte sequence and
    // every BMP character.
    // BIG5 and CP950 are one converter in glibc, Microsoft's: 0x80 decodes;
    // 0xc6a1-0xc8fe (ETEN's kana and more) are private use where Python has
    // kana; a dozen punctuation marks differ (0xa145 U+2022 / U+2027, ...).
    {"big5", "big5", ModuleKind::Iconv, "BIG5"},
    {"cp950", "cp950", ModuleKind::Iconv, "CP950"},  // 0x80, and 0xc6a1-0xc8fe as for big5
    {"big5hkscs", "big5hkscs", ModuleKind::Iconv, "BIG5-HKSCS"},  // 0x80; glibc has HKSCS-2008's 0x877a-0x87df
    // Python decodes 0x80, 0xa0 and 0xfd-0xff (U+0080, U+F8F0-U+F8F3), and
    // encodes about 380 NEC and IBM duplicates to other codes than glibc.
    {"cp932", "cp932", ModuleKind::Iconv, "CP932"},
    {"cp949", "cp949", ModuleKind::Iconv, "CP949"},
    // 0xa1bd U+2015 / glibc U+2014, 0xa2d6-0xa2d7 U+2985-U+2986 / U+FF5F-U+FF60;
    // Python encodes some 3100 characters of plane 2 (0x8f..) glibc does not.
    {"euc_jis_2004", "euc_jis_2004", ModuleKind::Iconv, "EUC-JISX0213"},
    {"euc_jisx0213", "euc_jisx0213", ModuleKind::Iconv, "EUC-JISX0213"},  // as euc_jis_2004, and 10 more
    {"euc_jp", "euc_jp", ModuleKind::Iconv, "EUC-JP"},  // glibc also takes the C1 bytes 0x80-0x8d, 0x90-0x9f
    // glibc takes the C1 bytes; Python encodes the 8822 Hangul syllables
    // outside KS X 1001 as 8-byte sequences (KS X 1001:1998 Annex 3), glibc
    // neither encodes nor decodes those.
    {"euc_kr", "euc_kr", ModuleKind::Iconv, "EUC-KR"},
    {"gb18030", "gb18030", ModuleKind::Iconv, "GB18030"},  // 25 codes map to private use in Python, not in glibc
    {"gb2312", "gb2312", ModuleKind::Iconv, "EUC-CN"},
    {"gbk", "gbk", ModuleKind::Iconv, "GBK"},  // glibc decodes 0x80 as U+20AC and encodes it back
    {"johab", "johab", ModuleKind::Iconv, "JOHAB"},  // 0x5c is U+20A9 in glibc; 17 jamo 0x8441.. Python only
    // glibc's 0x5c is U+00A5 and 0x7e U+203E (JIS X 0201); Python's are ASCII.
    {"shift_jis", "shift_jis", ModuleKind::Iconv, "SHIFT_JIS"},
    // 0x815c U+2015 / glibc U+2014, 0x815f '\' / U+FF3C, 0x81b0 '~' / U+FF5E,
    // 0x81d4-0x81d5 U+2985-U+2986 / U+FF5F-U+FF60.
    {"shift_jis_2004", "shift_jis_2004", ModuleKind::Iconv, "SHIFT_JISX0213"},
    {"shift_jisx0213", "shift_jisx0213", ModuleKind::Iconv, "SHIFT_JISX0213"},
    // Stateful: compared over the encoding of every BMP character.
    {"iso2022_jp", "iso2022_jp", ModuleKind::Iconv, "ISO-2022-JP"},
    {"iso2022_jp_2", "iso2022_jp_2", ModuleKind::Iconv, "ISO-2022-JP-2"},  // glibc also encodes C1 and more via G2
    {"iso2022_jp_3", "iso2022_jp_3", ModuleKind::Iconv, "ISO-2022-JP-3"},  // 82 characters encode otherwise
    // glibc writes the ESC $ ) C announcement at the start of any output,
    // Python only before the first non-ASCII character.
    {"iso2022_kr", "iso2022_kr", ModuleKind::Iconv, "ISO-2022-KR"},

    // Python codecs glibc has no counterpart for (or, for mac_iceland, a
    // different table: 12 of its bytes differ).  Their names go to iconv as
    // given, which knows none of them.
    {"cp1006", "cp1006", ModuleKind::Missing, nullptr},
    {"cp720", "cp720", ModuleKind::Missing, nullptr},
    {"mac_arabic", "mac-arabic", ModuleKind::Missing, nullptr},
    {"mac_croatian", "mac-croatian", ModuleKind::Missing, nullptr},
    {"mac_farsi", "mac-farsi", ModuleKind::Missing, nullptr},
    {"mac_greek", "mac-greek", ModuleKind::Missing, nullptr},
    {"mac_iceland", "mac-iceland", ModuleKind::Missing, nullptr},
    {"mac_romanian", "mac-romanian", ModuleKind::Missing, nullptr},
    {"mac_turkish", "mac-turkish", ModuleKind::Missing, nullptr},
    {"palmos", "palmos", ModuleKind::Missing, nullptr},
    {"hz", "hz", ModuleKind::Missing, nullptr},
    {"iso2022_jp_1", "iso2022_jp_1", ModuleKind::Missing, nullptr},
    {"iso2022_jp_2004", "iso2022_jp_2004", ModuleKind::Missing, nullptr},
    {"iso2022_jp_ext", "iso2022_jp_ext", ModuleKind::Missing, nullptr},
    {"charmap", "charmap", ModuleKind::Missing, nullptr},
    {"idna", "idna", ModuleKind::Missing, nullptr},
    {"punycode", "punycode", ModuleKind::Missing, nullptr},
    {"raw_unicode_escape", "raw-unicode-escape", ModuleKind::Missing, nullptr},
    {"unicode_escape", "unicode-escape", ModuleKind::Missing, nullptr},
    {"undefined", "undefined", ModuleKind::Missing, nullptr},

    {"base64_codec", "base64", ModuleKind::Binary, nullptr},
    {"bz2_codec", "bz2", ModuleKind::Binary, nullptr},
    {"hex_codec", "hex", ModuleKind::Binary, nullptr},
    {"quopri_codec", "quopri", ModuleKind::Binary, nullptr},
    {"rot_13", "rot-13", ModuleKind::Binary, nullptr},
    {"uu_codec", "uu", ModuleKind::Binary, nullptr},
    {"zlib_codec", "zlib", ModuleKind::Binary, nullptr},
};

const Module* find_module(std::string_view module) noexcept {
    for (const Module& m : kModules)
        if (module == m.module) return &m;
    return nullptr;
}

const char* find_alias(std::string_view alias) noexcept {
    const Alias* end = std::end(kAliases);
    const Alias* it = std::lower_bound(std::begin(kAliases), end, alias,
                                       [](const Alias& a, std::string_view key) { return a.alias < key; });
    return it != end && it->alias == alias ? it->module : nullptr;
}

// _Py_normalize_encoding: lower-case ASCII letters and digits and '.' are
// kept, every other run of characters becomes one '_' between them.
std::string normalize_encoding(std::string_view encoding) {
    std::string out;
    bool punct = false;
    for (char c : encoding) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (alnum || c == '.') {
            if (punct && !out.empty()) out += '_';
            punct = false;
            out += lower(c);
        } else {
            punct = true;
        }
    }
    return out;
}

// The module encodings.search_function() imports for a normalised name, or
// "" if it imports none.
std::string module_for(const std::string& norm) {
    if (const char* m = find_alias(norm)) return m;
    std::string underscored = norm;
    std::replace(underscored.begin(), underscored.end(), '.', '_');
    if (const char* m = find_alias(underscored)) return m;
    if (norm.find('.') != std::string::npos) return {};
    return norm;
}

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

// Codecs live for the whole program: the map is never destroyed, so a codec
// stays valid even for threads still running while the program exits.
struct Registry {
    std::mutex mutex;
    std::unordered_map<std::string, std::unique_ptr<Codec>> codecs;
};
Registry& registry() {
    static Registry* r = new Registry;
    return *r;
}

// Whether a name Python does not know may go to iconv_open(): only names
// made of what iconv's own names are made of ("ISO_646.IRV:1991",
// "ISO-10646/UCS4/", "NF_Z_62-010_(1973)").  glibc drops any other character
// before looking a name up ("la\xb2tin1" would be LATIN1), takes "" for the
// locale's charset, and reads options after "//" (//TRANSLIT, //IGNORE).
bool iconv_may_try(std::string_view name) noexcept {
    if (name.empty() || name.find("//") != std::string_view::npos) return false;
    for (char c : name) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && std::strchr("_-.:/()", c) == nullptr) return false;
    }
    return true;
}

std::unique_ptr<Codec> make_table_or_iconv_codec(std::string name, std::string_view iconv_name) {
    if (auto codec = make_charmap_codec(name, iconv_name)) return codec;
    return make_iconv_codec(std::move(name), iconv_name);
}

[[noreturn]] void unknown_encoding(std::string_view encoding) {
    throw Error(ErrorKind::LookupError, "unknown encoding: " + std::string(encoding));
}

}  // namespace

ErrorHandler error_handler(std::string_view name) {
    for (const HandlerName& h : kHandlers)
        if (name == h.name) return h.handler;
    throw Error(ErrorKind::LookupError, "unknown error handler name '" + std::string(name) + "'");
}

const char* error_handler_name(ErrorHandler handler) noexcept {
    for (const HandlerName& h : kHandlers)
        if (h.handler == handler) return h.name;
    return "strict";
}

void throw_decode_error(std::string_view encoding, std::string_view input, size_t start, size_t end,
                        std::string_view reason) {
    ErrorInfo info;
    info.kind = ErrorKind::UnicodeDecodeError;
    info.encoding = encoding;
    info.start = static_cast<int64_t>(start);
    info.end = static_cast<int64_t>(end);
    info.reason = reason;
    char where[80];
    if (start < input.size() && end == start + 1)
        std::snprintf(where, sizeof where, "byte 0x%02x in position %zu", static_cast<unsigned char>(input[start]),
                      start);
    else
        std::snprintf(where, sizeof where, "bytes in position %zu-%lld", start,
                      static_cast<long long>(end) - 1);
    info.message = "'" + info.encoding + "' codec can't decode " + where + ": " + info.reason;
    throw Error(std::move(info));
}

Error shifted_decode_error(const Error& error, int64_t offset) {
    ErrorInfo info = error.info();
    info.start += offset;
    info.end += offset;
    // throw_decode_error's message: what precedes the positions ("'utf-8'
    // codec can't decode byte 0xff") stays; "byte 0x.." has one position,
    // "bytes" a range.
    size_t at = info.message.find(" in position ");
    if (at == std::string::npos) return error;
    bool one = at >= 9 && info.message.compare(at - 9, 7, "byte 0x") == 0;
    std::string where = std::to_string(info.start);
    if (!one) where += "-" + std::to_string(info.end - 1);
    info.message = info.message.substr(0, at) + " in position " + where + ": " + info.reason;
    return Error(std::move(info));
}

void throw_encode_error_at(std::string_view encoding, std::string_view text, size_t start, size_t end,
                           size_t start_offset, std::string_view reason) {
    ErrorInfo info;
    info.kind = ErrorKind::UnicodeEncodeError;
    info.encoding = encoding;
    info.start = static_cast<int64_t>(start);
    info.end = static_cast<int64_t>(end);
    info.reason = reason;
    char where[80];
    if (start_offset < text.size() && end == start + 1) {
        size_t i = start_offset;
        auto cp = static_cast<unsigned>(next_code_point(text, i));
        const char* format = cp <= 0xff     ? "character '\\x%02x' in position %zu"
                             : cp <= 0xffff ? "character '\\u%04x' in position %zu"
                                            : "character '\\U%08x' in position %zu";
        std::snprintf(where, sizeof where, format, cp, start);
    } else {
        std::snprintf(where, sizeof where, "characters in position %zu-%lld", start,
                      static_cast<long long>(end) - 1);
    }
    info.message = "'" + info.encoding + "' codec can't encode " + where + ": " + info.reason;
    throw Error(std::move(info));
}

void throw_encode_error(std::string_view encoding, std::string_view text, size_t start, size_t end,
                        std::string_view reason) {
    throw_encode_error_at(encoding, text, start, end, utf8::offset_of(text, start), reason);
}

size_t handle_decode_error(ErrorHandler errors, std::string_view encoding, std::string_view input, size_t start,
                           size_t end, std::string_view reason, std::string& out) {
    switch (errors) {
    case ErrorHandler::Strict:
        break;
    case ErrorHandler::Ignore:
        return end;
    case ErrorHandler::Replace:
        out += "\xef\xbf\xbd";
        return end;
    case ErrorHandler::BackslashReplace:
        for (size_t i = start; i < end; ++i) {
            auto b = static_cast<unsigned char>(input[i]);
            const char escape[4] = {'\\', 'x', kHexDigits[b >> 4], kHexDigits[b & 0xf]};
            out.append(escape, 4);
        }
        return end;
    case ErrorHandler::SurrogateEscape: {
        // At most four bytes, and never an ASCII byte: decoding resumes after
        // what was escaped.
        size_t n = 0;
        while (n < 4 && start + n < end && static_cast<unsigned char>(input[start + n]) >= 0x80) {
            utf8::append(out, 0xdc00 + static_cast<unsigned char>(input[start + n]));
            ++n;
        }
        if (n == 0) break;
        return start + n;
    }
    case ErrorHandler::SurrogatePass: {
        // One surrogate in the encoding the error names; decoding resumes
        // after it, whatever the range of the error was.
        size_t bytes = 0;
        StandardEncoding code = standard_encoding(encoding, bytes);
        if (code == StandardEncoding::Unknown || input.size() - start < bytes) break;
        auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(input[start + k])); };
        uint32_t cp = 0;
        switch (code) {
        case StandardEncoding::Utf8:
            if ((b(0) & 0xf0) == 0xe0 && (b(1) & 0xc0) == 0x80 && (b(2) & 0xc0) == 0x80)
                cp = ((b(0) & 0x0f) << 12) | ((b(1) & 0x3f) << 6) | (b(2) & 0x3f);
            break;
        case StandardEncoding::Utf16Le: cp = b(1) << 8 | b(0); break;
        case StandardEncoding::Utf16Be: cp = b(0) << 8 | b(1); break;
        case StandardEncoding::Utf32Le: cp = b(3) << 24 | b(2) << 16 | b(1) << 8 | b(0); break;
        case StandardEncoding::Utf32Be: cp = b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3); break;
        case StandardEncoding::Unknown: break;
        }
        if (cp < 0xd800 || cp > 0xdfff) break;
        utf8::append(out, cp);
        return start + bytes;
    }
    case ErrorHandler::XmlCharRefReplace:
    case ErrorHandler::NameReplace:
        throw type_error("don't know how to handle UnicodeDecodeError in error callback");
    }
    throw_decode_error(encoding, input, start, end, reason);
}

EncodeReplacement handle_encode_error_at(ErrorHandler errors, std::string_view encoding, std::string_view text,
                                         size_t start, size_t end, size_t start_offset, std::string_view reason) {
    EncodeReplacement r;
    size_t i = start_offset;
    size_t count = end - start;
    switch (errors) {
    case ErrorHandler::Strict:
        break;
    case ErrorHandler::Ignore:
        return r;
    case ErrorHandler::Replace:
        r.replacement.assign(count, '?');
        return r;
    case ErrorHandler::BackslashReplace:
        for (size_t k = 0; k < count; ++k) append_backslash_escape(r.replacement, next_code_point(text, i));
        return r;
    case ErrorHandler::XmlCharRefReplace:
        for (size_t k = 0; k < count; ++k) {
            char buf[16];
            int n = std::snprintf(buf, sizeof buf, "&#%u;", static_cast<unsigned>(next_code_point(text, i)));
            r.replacement.append(buf, static_cast<size_t>(n));
        }
        return r;
    case ErrorHandler::NameReplace:
        for (size_t k = 0; k < count; ++k) {
            char32_t cp = next_code_point(text, i);
            char name[256];
            if (character_name(cp, name, sizeof name)) {
                r.replacement += "\\N{";
                r.replacement += name;
                r.replacement += '}';
            } else {
                append_backslash_escape(r.replacement, cp);
            }
        }
        return r;
    case ErrorHandler::SurrogateEscape: {
        r.raw_bytes = true;
        size_t k = 0;
        for (; k < count; ++k) {
            char32_t cp = next_code_point(text, i);
            if (cp < 0xdc80 || cp > 0xdcff) break;
            r.replacement += static_cast<char>(cp - 0xdc00);
        }
        if (k == count) return r;
        break;
    }
    case ErrorHandler::SurrogatePass: {
        size_t bytes = 0;
        StandardEncoding code = standard_encoding(encoding, bytes);
        if (code == StandardEncoding::Unknown) break;
        r.raw_bytes = true;
        size_t k = 0;
        for (; k < count; ++k) {
            char32_t cp = next_code_point(text, i);
            if (cp < 0xd800 || cp > 0xdfff) break;
            char u[4];
            switch (code) {
            case StandardEncoding::Utf8: utf8::encode(cp, u); break;
            case StandardEncoding::Utf16Le: u[0] = char(cp), u[1] = char(cp >> 8); break;
            case StandardEncoding::Utf16Be: u[0] = char(cp >> 8), u[1] = char(cp); break;
            case StandardEncoding::Utf32Le: u[0] = char(cp), u[1] = char(cp >> 8), u[2] = u[3] = 0; break;
            case StandardEncoding::Utf32Be: u[0] = u[1] = 0, u[2] = char(cp >> 8), u[3] = char(cp); break;
            case StandardEncoding::Unknown: break;
            }
            r.replacement.append(u, bytes);
        }
        if (k == count) return r;
        break;
    }
    }
    throw_encode_error_at(encoding, text, start, end, start_offset, reason);
}

EncodeReplacement handle_encode_error(ErrorHandler errors, std::string_view encoding, std::string_view text,
                                      size_t start, size_t end, std::string_view reason) {
    return handle_encode_error_at(errors, encoding, text, start, end, utf8::offset_of(text, start), reason);
}

const Codec& lookup_codec(std::string_view encoding) {
    if (encoding.find('\0') != std::string_view::npos) throw value_error("embedded null character");
    // Python's TextIOWrapper and open() take exactly "locale" for the
    // locale's encoding; codecs.lookup() itself does not know the name.
    if (encoding == "locale") return lookup_codec(nl_langinfo(CODESET));

    std::string norm = normalize_encoding(encoding);
    std::string module = module_for(norm);
    const Module* known = find_module(module);
    if (known && known->kind == ModuleKind::Binary)
        throw Error(ErrorKind::LookupError, "'" + std::string(encoding) +
                                                "' is not a text encoding; use codecs.open() to handle arbitrary "
                                                "codecs");
    // Python's codecs are cached under their module; iconv's own names as
    // given (iconv ignores case, but not punctuation).
    std::string key = known && known->kind != ModuleKind::Missing ? module : "iconv:" + lowered(encoding);

    Registry& reg = registry();
    std::lock_guard lock(reg.mutex);
    if (auto it = reg.codecs.find(key); it != reg.codecs.end()) return *it->second;

    std::unique_ptr<Codec> codec;
    if (known && known->kind == ModuleKind::Native)
        codec = make_unicode_codec(known->module);
    else if (known && known->kind == ModuleKind::Iconv)
        codec = make_table_or_iconv_codec(known->name, known->iconv_name);
    else if (iconv_may_try(encoding))
        codec = make_table_or_iconv_codec(lowered(encoding), encoding);
    if (!codec) unknown_encoding(encoding);
    return *reg.codecs.emplace(std::move(key), std::move(codec)).first->second;
}

}  // namespace pyio
