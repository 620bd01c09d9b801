// StreamLock (src/stream_lock.h), the lock of the buffered and text streams:
// it refuses the thread that holds it (the streams' RuntimeError on
// reentry), excludes other threads, and -- the path that plain stores make
// delicate -- wakes a thread started while it was taken in a one-thread
// process.  The class is header-only, so these are the library's own
// instructions; the suites of the streams test the lock through the C API.

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>

#include <unistd.h>

#include "../src/stream_lock.h"
#include <gtest/gtest.h>

#if defined(__SANITIZE_THREAD__)
#define PYIO_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PYIO_TEST_TSAN 1
#endif
#endif

namespace {

using pyio::StreamLock;

TEST(StreamLockThreads, RefusesTheThreadThatHoldsIt) {
    StreamLock lock;
    ASSERT_TRUE(lock.lock());
    EXPECT_FALSE(lock.lock());  // still held, and not taken twice
    lock.unlock();
    EXPECT_TRUE(lock.lock());
    lock.unlock();
}

TEST(StreamLockThreads, ExcludesOtherThreads) {
    alarm(60);  // a lost wake-up hangs: fail instead
    StreamLock lock;
    long counter = 0;   // plain: only the lock orders the increments
    int inside = 0;     // threads inside at once
    std::atomic<int> overlaps{0};
    constexpr int kThreads = 4, kRounds = 100000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                ASSERT_TRUE(lock.lock());
                if (++inside != 1) overlaps.fetch_add(1);
                ++counter;
                --inside;
                lock.unlock();
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(counter, long{kThreads} * kRounds);
    EXPECT_EQ(overlaps.load(), 0);
    alarm(0);
}

// In a fresh process (one thread), the lock is taken with a plain store; a
// thread started while it is held must wait, and be woken when it is left.
// A lost wake-up would hang: alarm() turns that into a failure.
void thread_started_while_held() {
    alarm(20);
#if defined(PYIO_HAVE_SINGLE_THREADED) && !defined(PYIO_TEST_TSAN)
    // ThreadSanitizer runs a thread of its own, so there the atomic path runs.
    if (!__libc_single_threaded) _exit(3);
#endif
    StreamLock lock;
    ASSERT_TRUE(lock.lock());
    std::atomic<bool> entered{false};
    std::thread other([&] {
        if (!lock.lock()) _exit(4);
        entered = true;
        lock.unlock();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (entered) _exit(5);  // it got in while the lock was held
    lock.unlock();
    other.join();
    if (!entered) _exit(6);
    _exit(0);
}

TEST(StreamLockThreads, WakesAThreadStartedWhileHeldInAOneThreadProcess) {
    // "threadsafe" runs the statement in a newly started copy of this
    // program, which has one thread until the statement starts another.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(thread_started_while_held(), testing::ExitedWithCode(0), "");
}

}  // namespace
