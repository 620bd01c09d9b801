// The C boundary: handle translation and the one place C++ exceptions stop.
#pragma once

#include <pyio/pyio.h>

#include <string>
#include <type_traits>

#include "error.h"
#include "iobase.h"

namespace pyio::capi {

// Runs body; if it throws, records the exception (error.h's choke point) and
// returns `failure`.  Every exported function is a guard around its body.
template <class R, class F>
R guard(R failure, F&& body) noexcept {
    try {
        return body();
    } catch (...) {
        record_current_exception();
        return failure;
    }
}

// A pyio_stream* is an IOBase* in disguise: the handle is the object.
inline pyio_stream* to_handle(IOBase* object) noexcept {
    return reinterpret_cast<pyio_stream*>(object);
}

// The stream behind a handle; TypeError for NULL, ValueError for a handle
// whose object is gone (best effort: a stale pointer is still undefined).
inline IOBase& from_handle(pyio_stream* handle) {
    if (!handle) throw type_error("stream handle is NULL");
    IOBase* object = reinterpret_cast<IOBase*>(handle);
    if (!object->alive()) throw value_error("invalid stream handle");
    return *object;
}

// The stream as class T, or AttributeError naming the missing attribute, as
// Python reports a method the object's class does not have.
template <class T>
T& from_handle_as(pyio_stream* handle, const char* attribute) {
    IOBase& object = from_handle(handle);
    if constexpr (std::is_same_v<T, TextIOBase>) {
        if (TextIOBase* t = object.as_text()) return *t;
    } else if (T* t = dynamic_cast<T*>(&object)) {
        return *t;
    }
    throw attribute_error("'" + std::string(object.type_name()) + "' object has no attribute '" +
                          attribute + "'");
}

// TypeError("WHAT is NULL"), out of line: require() stays small enough to
// inline into the calls it checks.
[[noreturn]] [[gnu::noinline, gnu::cold]] inline void throw_null(const char* what) {
    throw type_error(std::string(what) + " is NULL");
}

// Rejects a NULL pointer argument with TypeError.
template <class P>
P* require(P* pointer, const char* what) {
    if (!pointer) [[unlikely]] throw_null(what);
    return pointer;
}

}  // namespace pyio::capi
