// The functions libpyio.so defines, read from the ELF file this process
// loaded it from: the exported ones (.dynsym), for the API walk's coverage
// check, and every one (.symtab), for the suites that call the codec layer's
// internal functions by their mangled names -- so they run exactly the code
// the library runs.  (Empty if the file cannot be read or is stripped.)
#pragma once

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pyio/pyio.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <unordered_map>
#include <vector>

namespace pyio_test {

// Name -> address in this process, of the functions defined in the section
// of type `section` (SHT_DYNSYM or SHT_SYMTAB).
inline std::unordered_map<std::string, void*> library_functions(uint32_t section) {
    std::unordered_map<std::string, void*> functions;
    Dl_info info{};
    link_map* lib = nullptr;
    if (!dladdr1(reinterpret_cast<void*>(&pyio_version_number), &info, reinterpret_cast<void**>(&lib),
                 RTLD_DL_LINKMAP) ||
        !lib)
        return functions;
    std::ifstream in(info.dli_fname, std::ios::binary);
    const std::string elf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto read = [&elf](size_t offset, auto& value) {
        if (offset + sizeof value <= elf.size()) std::memcpy(&value, elf.data() + offset, sizeof value);
    };
    Elf64_Ehdr eh{};
    read(0, eh);
    std::vector<Elf64_Shdr> sections(eh.e_shnum);
    for (size_t i = 0; i < sections.size(); ++i) read(eh.e_shoff + i * eh.e_shentsize, sections[i]);
    for (const Elf64_Shdr& sh : sections) {
        if (sh.sh_type != section || sh.sh_link >= sections.size()) continue;
        const Elf64_Shdr& names = sections[sh.sh_link];
        for (size_t off = sh.sh_offset; off + sizeof(Elf64_Sym) <= sh.sh_offset + sh.sh_size;
             off += sizeof(Elf64_Sym)) {
            Elf64_Sym sym{};
            read(off, sym);
            if (ELF64_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx != SHN_UNDEF &&
                names.sh_offset + sym.st_name < elf.size())
                functions.emplace(elf.c_str() + names.sh_offset + sym.st_name,
                                  reinterpret_cast<void*>(lib->l_addr + sym.st_value));
        }
    }
    return functions;
}

// One internal function of libpyio.so, by mangled name, as a pointer of
// type F*; a test cannot go on without it, so its absence aborts with a message.
template <class F>
F* library_function(const char* mangled) {
    static const auto functions = library_functions(SHT_SYMTAB);
    auto it = functions.find(mangled);
    if (it == functions.end()) {
        std::fprintf(stderr, "libpyio.so has no function %s\n", mangled);
        std::abort();
    }
    return reinterpret_cast<F*>(it->second);
}

}  // namespace pyio_test
