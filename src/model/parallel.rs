//! Stage: model. Independent pieces of training work (the codes of a one-vs-rest SVM) run on a
//! few threads.
//!
//! One rule: parallelism is spent at the outermost level that asks for it. A worker thread runs
//! every nested [`map`] on itself, so a caller that already spreads its work over the cores
//! does not get more threads than cores (they only add switching and memory). Pieces are handed
//! out one at a time to whichever thread is free (codes differ in size), results come back in
//! index order and every piece carries its own seed, so a model does not depend on the number of
//! threads.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// At most this many threads: training is memory-bound beyond a few cores.
const MAX_THREADS: usize = 4;

thread_local! {
    /// True inside a [`map`] worker.
    static IN_WORKER: Cell<bool> = const { Cell::new(false) };
}

/// How many threads a [`map`] over `n` pieces would use here.
pub fn threads_for(n: usize) -> usize {
    if IN_WORKER.with(Cell::get) {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .clamp(1, MAX_THREADS)
        .min(n.max(1))
}

/// `f(0)`, `f(1)`, … `f(n - 1)`, computed on up to [`threads_for`]`(n)` threads (each free thread
/// takes the next piece), returned in index order.
pub fn map<T, F>(n: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize) -> T + Sync,
{
    let threads = threads_for(n);
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (f, next) = (&f, &next);
                scope.spawn(move || {
                    IN_WORKER.with(|w| w.set(true));
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break done;
                        }
                        done.push((i, f(i)));
                    }
                })
            })
            .collect();
        for h in handles {
            // A panicking piece is a bug: let it surface as the panic it is.
            let done = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            for (i, v) in done {
                out[i] = Some(v);
            }
        }
    });
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_index_order() {
        let v = map(37, |i| i * i);
        assert_eq!(v, (0..37).map(|i| i * i).collect::<Vec<_>>());
    }

    #[test]
    fn nested_maps_run_on_the_worker_thread() {
        let outer = map(4, |_| {
            let me = std::thread::current().id();
            let inner = map(6, |_| std::thread::current().id());
            (threads_for(6), inner.iter().all(|&id| id == me))
        });
        for (t, same) in outer {
            assert!(same, "a nested map left its worker thread");
            // Outside a worker, or on a one-core machine, the outer map ran sequentially.
            if threads_for(4) > 1 {
                assert_eq!(t, 1);
            }
        }
    }

    #[test]
    fn empty_input_gives_empty_output() {
        assert!(map(0, |i| i).is_empty());
    }
}
