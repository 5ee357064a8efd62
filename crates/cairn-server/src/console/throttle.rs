//! Slowing down password guessing: each (account, user) and each client address may try a few
//! times freely, then must wait, twice as long after every further failure (up to 15 minutes).
//! An attempt counts from its start, so parallel guesses are throttled too; a success clears the
//! user's count and takes its own attempt off the address's. Counts are per node, in memory,
//! and forgotten after 15 quiet minutes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Free attempts per user before waiting.
const USER_FREE: u32 = 3;
/// Free attempts per client address (shared by every user it tries).
const IP_FREE: u32 = 20;
const MAX_WAIT: Duration = Duration::from_secs(900);
/// A count is forgotten after this long without attempts.
const QUIET: Duration = Duration::from_secs(900);
/// Pause before answering a failed attempt.
const FAIL_PAUSE: Duration = Duration::from_millis(500);
/// Beyond this many remembered keys, quiet ones are pruned.
const PRUNE_AT: usize = 100_000;

/// The throttle of console sign-ins and ChangePassword.
pub static SIGN_IN: LazyLock<Throttle> = LazyLock::new(Throttle::default);

/// What attempts are counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// An IAM user (names are case-insensitive).
    pub fn user(account_id: &str, user_name: &str) -> Key {
        Key(format!("user:{account_id}:{}", user_name.to_lowercase()))
    }

    fn ip(ip: IpAddr) -> Key {
        Key(format!("ip:{ip}"))
    }
}

/// Whole seconds to wait (rounded up, at least one), as Retry-After says it.
pub fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[derive(Debug, Clone, Copy)]
struct Count {
    attempts: u32,
    last: Instant,
}

#[derive(Default)]
pub struct Throttle {
    counts: Mutex<HashMap<Key, Count>>,
}

/// An attempt in progress: report how it ended.
#[must_use]
pub struct Attempt<'a> {
    throttle: &'a Throttle,
    user: Key,
    ip: Option<Key>,
}

fn wait_after(attempts: u32, free: u32) -> Duration {
    if attempts < free {
        return Duration::ZERO;
    }
    let exp = (attempts - free + 1).min(20);
    Duration::from_secs(1u64 << exp).min(MAX_WAIT)
}

impl Throttle {
    /// Starts an attempt, or says how long to wait before the next one may start.
    pub fn begin(&self, user: &Key, ip: Option<IpAddr>) -> Result<Attempt<'_>, Duration> {
        let now = Instant::now();
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() > PRUNE_AT {
            counts.retain(|_, c| now.duration_since(c.last) < QUIET);
        }
        let ip = ip.map(Key::ip);
        let mut keys = vec![(user.clone(), USER_FREE)];
        if let Some(ip) = &ip {
            keys.push((ip.clone(), IP_FREE));
        }
        let mut wait = Duration::ZERO;
        for (key, free) in &keys {
            if let Some(c) = counts.get(key) {
                let since = now.duration_since(c.last);
                if since < QUIET {
                    wait = wait.max(wait_after(c.attempts, *free).saturating_sub(since));
                }
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        for (key, _) in &keys {
            let c = counts.entry(key.clone()).or_insert(Count {
                attempts: 0,
                last: now,
            });
            if now.duration_since(c.last) >= QUIET {
                c.attempts = 0;
            }
            c.attempts += 1;
            c.last = now;
        }
        Ok(Attempt {
            throttle: self,
            user: user.clone(),
            ip,
        })
    }
}

impl Attempt<'_> {
    /// The password was right: the user's count is cleared, the address's attempt undone.
    pub fn succeeded(self) {
        let mut counts = self
            .throttle
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        counts.remove(&self.user);
        if let Some(ip) = &self.ip
            && let Some(c) = counts.get_mut(ip)
        {
            c.attempts = c.attempts.saturating_sub(1);
        }
    }

    /// The password was wrong: the attempt stays counted, and the answer is delayed.
    pub async fn failed(self) {
        tokio::time::sleep(FAIL_PAUSE).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_attempts_are_free_then_waits_double() {
        assert_eq!(wait_after(0, 3), Duration::ZERO);
        assert_eq!(wait_after(2, 3), Duration::ZERO);
        assert_eq!(wait_after(3, 3), Duration::from_secs(2));
        assert_eq!(wait_after(4, 3), Duration::from_secs(4));
        assert_eq!(wait_after(30, 3), MAX_WAIT);
    }

    #[test]
    fn parallel_guesses_are_counted_from_their_start() {
        let t = Throttle::default();
        let k = Key::user("111111111111", "Alice");
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let held: Vec<_> = (0..USER_FREE)
            .map(|_| t.begin(&k, Some(ip)).unwrap())
            .collect();
        // Same user in another case, still in flight: refused.
        assert!(
            t.begin(&Key::user("111111111111", "ALICE"), Some(ip))
                .is_err()
        );
        // Another user from the same address is not.
        let other = t
            .begin(&Key::user("111111111111", "bob"), Some(ip))
            .unwrap();
        other.succeeded();
        drop(held);
    }

    #[test]
    fn success_clears_the_users_count() {
        let t = Throttle::default();
        let k = Key::user("111111111111", "alice");
        for _ in 0..USER_FREE - 1 {
            let _ = t.begin(&k, None).unwrap();
        }
        t.begin(&k, None).unwrap().succeeded();
        for _ in 0..USER_FREE {
            let _ = t.begin(&k, None).unwrap();
        }
        assert!(t.begin(&k, None).is_err());
    }
}
