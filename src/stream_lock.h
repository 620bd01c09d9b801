// The lock of a buffered or text stream (CPython's buffered objects and
// TextIOWrapper are locked): a mutex that knows which thread holds it, so
// that a thread re-entering its own stream -- a raw stream's callback calling
// back into the buffer over it -- gets RuntimeError, not a deadlock.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <type_traits>

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>  // glibc 2.32: __libc_single_threaded
#define PYIO_HAVE_SINGLE_THREADED 1
#endif

namespace pyio {

// Hand-written over std::atomic's wait/notify (a futex on Linux) instead of a
// std::mutex beside the owner: taking it is one compare-exchange and leaving
// it one exchange, inline.  pthread_mutex_lock and _unlock, through the PLT,
// were about 50 of the 350 instructions that reading a text line cost
// (callgrind), and every per-line call takes a lock.
//
// The state follows Drepper's "Futexes Are Tricky" (mutex 3): 0 free,
// 1 held, 2 held and a thread may be waiting, so that leaving wakes a waiter
// only when there may be one.
//
// While the process has one thread, as glibc's __libc_single_threaded tells
// (it is there for this: glibc's stdio and libstdc++'s shared_ptr skip their
// atomic instructions the same way), the state is set with plain stores.
// The two locked instructions were a quarter of the time of reading a short
// text line (perf).  The flag is read afresh at each step: a thread started
// while the lock is held (by a raw stream's callback) sees the lock taken,
// through pthread_create's ordering, and the holder then leaves it with the
// exchange that wakes it.
class StreamLock {
public:
    // Takes the lock for the calling thread; false, without waiting, when
    // that thread holds it already.
    bool lock() noexcept {
        const ThreadTag self = current_thread();
        // Only the holder stores its own tag here, and clears it before
        // leaving: a thread that reads its own tag holds the lock.
        if (owner_.load(std::memory_order_relaxed) == self) return false;
        uint32_t state = 0;
        if (single_threaded()) [[likely]]
            state_.store(1, std::memory_order_relaxed);  // no other thread: it was 0
        else if (!state_.compare_exchange_strong(state, 1, std::memory_order_acquire,
                                                 std::memory_order_relaxed))
            wait(state);
        owner_.store(self, std::memory_order_relaxed);
        return true;
    }

    void unlock() noexcept {
        owner_.store(kNoThread, std::memory_order_relaxed);
        if (single_threaded()) [[likely]] {
            state_.store(0, std::memory_order_relaxed);
            return;
        }
        // Sequentially consistent (the same xchg on x86): the store of 0 must
        // come before notify_one's look for waiters, which a waiter makes
        // itself known to before its last look at state_.
        if (state_.exchange(0) == 2) state_.notify_one();
    }

    StreamLock() = default;
    StreamLock(const StreamLock&) = delete;
    StreamLock& operator=(const StreamLock&) = delete;

private:
    // A tag unique to each running thread.  The thread pointer (x86-64's
    // %fs base, glibc's struct pthread, which pthread_self returns) is read
    // in one instruction; std::this_thread::get_id() is a call through the
    // PLT to pthread_self, which was 3% of reading a short text line (perf).
    using ThreadTag = uintptr_t;
    static constexpr ThreadTag kNoThread = 0;
    static ThreadTag current_thread() noexcept {
#if defined(__has_builtin) && (defined(__x86_64__) || defined(__aarch64__))
#if __has_builtin(__builtin_thread_pointer)
        return reinterpret_cast<ThreadTag>(__builtin_thread_pointer());
#endif
#endif
        static_assert(sizeof(std::thread::id) <= sizeof(ThreadTag) &&
                      std::is_trivially_copyable_v<std::thread::id>);
        ThreadTag tag = kNoThread;
        const std::thread::id id = std::this_thread::get_id();
        std::memcpy(&tag, &id, sizeof id);
        return tag;
    }

    static bool single_threaded() noexcept {
#ifdef PYIO_HAVE_SINGLE_THREADED
        return __libc_single_threaded;
#else
        return false;
#endif
    }

    // Contended: mark the lock as waited for, and sleep until it is left.
    void wait(uint32_t state) noexcept {
        if (state != 2) state = state_.exchange(2, std::memory_order_acquire);
        while (state != 0) {
            state_.wait(2, std::memory_order_relaxed);
            state = state_.exchange(2, std::memory_order_acquire);
        }
    }

    std::atomic<uint32_t> state_{0};
    std::atomic<ThreadTag> owner_{kNoThread};
};

}  // namespace pyio
