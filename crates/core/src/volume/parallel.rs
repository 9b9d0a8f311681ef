//! A tiny work queue for stateless byte work on a few threads (`std::thread::scope`, no
//! unsafe, no shared mutable state besides the queue). Jobs are taken in order, so putting
//! the biggest job first balances the threads; every job owns its (disjoint) output slices.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::error::{CoreError, CoreResult, ErrorCode};

fn worker_failed() -> CoreError {
    CoreError::new(
        ErrorCode::InvalidArgument,
        "internal error: a worker thread stopped unexpectedly",
    )
}

/// Runs `work` over every job on up to `threads` threads (the calling thread is one of
/// them; with `threads <= 1` nothing is spawned). `state` makes each thread's scratch.
/// Returns the results in job order, or the first error (remaining jobs are skipped).
///
/// # Errors
/// The first error a job returns.
pub fn run_jobs<J, R, S, W, M>(
    jobs: Vec<J>,
    threads: usize,
    state: M,
    work: W,
) -> CoreResult<Vec<R>>
where
    J: Send,
    R: Send,
    W: Fn(&mut S, J) -> CoreResult<R> + Sync,
    M: Fn() -> S + Sync,
{
    let count = jobs.len();
    let queue = Mutex::new(jobs.into_iter().enumerate());
    let failed = AtomicBool::new(false);
    let worker = || -> CoreResult<Vec<(usize, R)>> {
        let mut scratch = state();
        let mut done = Vec::new();
        loop {
            if failed.load(Ordering::Relaxed) {
                break;
            }
            let next = queue.lock().map_err(|_| worker_failed())?.next();
            let Some((at, job)) = next else { break };
            match work(&mut scratch, job) {
                Ok(result) => done.push((at, result)),
                Err(error) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err(error);
                }
            }
        }
        Ok(done)
    };
    let threads = threads.clamp(1, count.max(1));
    let parts: Vec<CoreResult<Vec<(usize, R)>>> = if threads == 1 {
        vec![worker()]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (1..threads)
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, worker).ok())
                .collect();
            let mut parts = vec![worker()];
            for handle in handles {
                parts.push(handle.join().unwrap_or_else(|_| Err(worker_failed())));
            }
            parts
        })
    };
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(count).collect();
    for part in parts {
        for (at, result) in part? {
            if let Some(slot) = slots.get_mut(at) {
                *slot = Some(result);
            }
        }
    }
    slots
        .into_iter()
        .map(|slot| slot.ok_or_else(worker_failed))
        .collect()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_job_order_on_any_thread_count() {
        for threads in [0, 1, 2, 3, 8] {
            let jobs: Vec<u64> = (0..50).collect();
            let got = run_jobs(
                jobs,
                threads,
                || 0u64,
                |seen, j| {
                    *seen += 1;
                    Ok(j * j)
                },
            )
            .unwrap();
            assert_eq!(got, (0..50).map(|j| j * j).collect::<Vec<_>>());
        }
    }

    #[test]
    fn jobs_write_into_their_own_slices() {
        let mut out = [0u8; 64];
        let jobs: Vec<(u8, &mut [u8])> =
            out.chunks_mut(8).zip(1u8..).map(|(c, i)| (i, c)).collect();
        run_jobs(
            jobs,
            2,
            || (),
            |(), (value, slice)| {
                slice.fill(value);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(out[0], 1);
        assert_eq!(out[63], 8);
    }

    #[test]
    fn the_first_error_is_returned() {
        let jobs: Vec<u32> = (0..20).collect();
        let err = run_jobs(
            jobs,
            2,
            || (),
            |(), j| {
                if j == 7 {
                    Err(CoreError::new(ErrorCode::Corrupt, "job 7"))
                } else {
                    Ok(j)
                }
            },
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::Corrupt);
    }
}
