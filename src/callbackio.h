// CallbackRawIO: a raw stream whose operations are C callbacks supplied by
// the caller (pyio_rawio_new), so a program in any language can implement
// RawIOBase.
#pragma once

#include <string>
#include <string_view>

#include <pyio/pyio.h>

#include "iobase.h"

namespace pyio {

// Without a closed callback the stream keeps its closed flag itself: each
// operation checks it first, so the callbacks never see a call after close,
// and close is called at most once.  With one, the callbacks own the state,
// as a Python object does: they are called whatever it says, and check it
// themselves (see pyio.h).  destroy is called exactly once, from the
// destructor.  A callback that returns failure has its recorded error thrown
// (raise_from_record); a count outside [0, size] is OSError.
class CallbackRawIO : public RawIOBase {
public:
    // `callbacks` must be a complete struct (the C API pads short ones with
    // NULLs).  `name` nullptr: no name attribute.
    CallbackRawIO(const pyio_rawio_callbacks& callbacks, void* context, const char* name);
    ~CallbackRawIO() override;
    const char* type_name() const noexcept override { return "CallbackRawIO"; }

    void close() override;
    bool closed() const override;
    void flush() override;
    bool readable() override;
    bool writable() override;
    bool seekable() override;
    bool isatty() override;
    int fileno() override;
    int64_t seek(int64_t pos, int whence) override;
    int64_t tell() override;
    int64_t truncate(std::optional<int64_t> size) override;
    std::optional<size_t> readinto(std::span<char> buffer) override;
    std::optional<size_t> write(std::span<const char> data) override;
    const StreamName& name() override;

private:
    // Before calling a callback: a closed stream is refused here unless the
    // callbacks keep the closed state (then they check it themselves).
    void before_call() const;
    // A predicate: the callback's answer, or `otherwise` (after the closed
    // check IOBase makes) when there is none.
    bool predicate(int (*callback)(void*), bool otherwise, std::string_view what);

    pyio_rawio_callbacks cb_;
    void* context_;
    bool has_name_;
    StreamName name_;
};

}  // namespace pyio
