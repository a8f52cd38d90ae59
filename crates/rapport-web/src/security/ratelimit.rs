//! Fixed-window attempt counters for login and sign-up, keyed by IP address and by account.
//!
//! In memory, per process: enough to stop guessing from one machine. Several app servers each
//! keep their own counters, which multiplies the allowance by the number of servers; that trade
//! is written up in the README.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counters for one kind of attempt.
#[derive(Debug)]
pub struct RateLimiter {
    per_window: u32,
    window: Duration,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Allows `per_window` attempts per key in each `window`.
    pub fn new(per_window: u32, window: Duration) -> Self {
        RateLimiter {
            per_window,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt for `key`; `Err(seconds)` says how long to wait when over the limit.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() > 100_000 {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = counts.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_window {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Failed logins per account from every address together, answered with a growing delay rather
/// than a refusal: a refusal would let anyone lock a person out of their own account by failing
/// on purpose from elsewhere, while a delay still makes spread-out guessing slow.
#[derive(Debug)]
pub struct Backoff {
    free: u32,
    window: Duration,
    step: Duration,
    cap: Duration,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Backoff {
    /// `free` failures per `window` cost nothing; each one beyond adds `step`, up to `cap`.
    pub fn new(free: u32, window: Duration, step: Duration, cap: Duration) -> Self {
        Backoff {
            free,
            window,
            step,
            cap,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// How long an attempt on `key` waits before it is checked.
    pub fn delay(&self, key: &str) -> Duration {
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match failures.get(key) {
            Some((start, n)) if now.duration_since(*start) < self.window && *n > self.free => {
                self.step.saturating_mul(*n - self.free).min(self.cap)
            }
            _ => Duration::ZERO,
        }
    }

    /// Counts a failed attempt on `key`.
    pub fn failed(&self, key: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = failures.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}
