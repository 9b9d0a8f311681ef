//! Exclusive, non-blocking advisory lock on a file descriptor that TypeScript opened.
//!
//! **A deliberate exception to "no I/O in Rust".** Node has no `flock`, and stoolap guards a
//! database directory with an exclusive lock on `db.lock` (`flock(LOCK_EX | LOCK_NB)` on Unix,
//! `LockFileEx` on Windows). Interoperating with it needs the same kind of lock, so this module
//! takes an fd (never a path), borrows it without taking ownership (`ManuallyDrop<File>`, so
//! the descriptor is not closed here) and calls std's `File::try_lock` / `File::unlock`. It
//! opens, reads and writes nothing; TypeScript owns the descriptor and its lifetime.
//!
//! `flock` locks belong to the open file description, so a second `open()` of the same file in
//! this process (another handle, a worker thread) conflicts exactly like another process does.

use std::fs::{File, TryLockError};
use std::mem::ManuallyDrop;

use napi_derive::napi;

fn invalid(message: String) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, format!("ERR_IO: {message}"))
}

#[cfg(unix)]
fn borrow_fd(fd: i32) -> napi::Result<ManuallyDrop<File>> {
    use std::os::fd::FromRawFd;
    if fd < 0 {
        return Err(invalid(format!("invalid file descriptor {fd}")));
    }
    // SAFETY: `fd` is a descriptor the JS caller opened and keeps open for the duration of
    // this call; `ManuallyDrop` guarantees we never close it, so ownership is not taken.
    Ok(ManuallyDrop::new(unsafe { File::from_raw_fd(fd) }))
}

#[cfg(windows)]
fn borrow_fd(fd: i32) -> napi::Result<ManuallyDrop<File>> {
    use std::os::windows::io::{FromRawHandle, RawHandle};
    extern "C" {
        /// The OS handle behind a C runtime descriptor (what libuv's fds are on Windows).
        fn _get_osfhandle(fd: i32) -> isize;
    }
    // SAFETY: `_get_osfhandle` only looks the descriptor up; it returns -1 when it is invalid.
    let handle = unsafe { _get_osfhandle(fd) };
    if handle == -1 {
        return Err(invalid(format!("invalid file descriptor {fd}")));
    }
    // SAFETY: the handle stays owned by the CRT descriptor the JS caller keeps open;
    // `ManuallyDrop` guarantees we never close it.
    Ok(ManuallyDrop::new(unsafe {
        File::from_raw_handle(handle as RawHandle)
    }))
}

/// Tries to take an exclusive lock on `fd` without waiting. Returns false when another
/// descriptor (in this or another process) holds a conflicting lock.
#[cfg(any(unix, windows))]
#[napi(catch_unwind)]
pub fn try_lock_file(fd: i32) -> napi::Result<bool> {
    let file = borrow_fd(fd)?;
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(TryLockError::WouldBlock) => Ok(false),
        Err(TryLockError::Error(error)) => {
            Err(invalid(format!("cannot lock descriptor {fd}: {error}")))
        }
    }
}

/// Releases a lock taken by `tryLockFile` (closing the descriptor releases it too).
#[cfg(any(unix, windows))]
#[napi(catch_unwind)]
pub fn unlock_file(fd: i32) -> napi::Result<()> {
    let file = borrow_fd(fd)?;
    file.unlock()
        .map_err(|error| invalid(format!("cannot unlock descriptor {fd}: {error}")))
}

/// Platforms without advisory locks: like stoolap, locking is a no-op there.
#[cfg(not(any(unix, windows)))]
#[napi(catch_unwind)]
pub fn try_lock_file(_fd: i32) -> napi::Result<bool> {
    Ok(true)
}

#[cfg(not(any(unix, windows)))]
#[napi(catch_unwind)]
pub fn unlock_file(_fd: i32) -> napi::Result<()> {
    Ok(())
}
