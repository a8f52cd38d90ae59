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
