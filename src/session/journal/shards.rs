//! Where a journal keeps its entries: one shard per thread that records, each written by its
//! own thread only, merged by arrival when read.
//!
//! Recording touches no memory another worker writes: the thread's own shard (a lock only a
//! reader also takes) and, for the default session's journal, the thread's own grant of the
//! byte budget, taken from the shared budget [`BATCH_BYTES`] at a time. Each entry is stamped
//! with its arrival (monotonic nanoseconds, taken under the shard's lock), so that reading
//! merges the shards into the order the entries were recorded in: a client's sequential
//! requests appear in its order.
//!
//! A shard drops its own oldest entries past the session's entry and byte limits; entries of
//! one shard pushed out by newer ones of another are dropped when read past and by a trim of
//! the whole journal every [`BATCH_BYTES`] a shard records, which walks only the entries it
//! drops. Reading shows exactly the newest entries within the session's limits, as one
//! journal would.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use crossbeam_utils::CachePadded;
use thread_local::ThreadLocal;

use super::{cost, JournalLimits, Recorded};

/// Bytes of the total budget a thread takes at a time for the default session's journal, and
/// bytes a shard records between two trims of its journal.
pub(crate) const BATCH_BYTES: usize = 64 * 1024;

/// The bytes held by every journal of a server, against `journal_total_bytes`.
#[derive(Debug)]
pub struct JournalBudget {
    limits: JournalLimits,
    /// Bytes taken from the budget: held by entries, or granted to a thread and not used yet.
    used: CachePadded<AtomicUsize>,
    /// Bytes each thread took for batched journals and has not used yet: written by its own
    /// thread, and emptied by any journal that finds the budget short.
    grants: ThreadLocal<CachePadded<AtomicUsize>>,
}

impl JournalBudget {
    /// The budget of a server whose journals keep `limits`.
    pub fn new(limits: JournalLimits) -> Arc<JournalBudget> {
        Arc::new(JournalBudget {
            limits,
            used: CachePadded::new(AtomicUsize::new(0)),
            grants: ThreadLocal::new(),
        })
    }

    /// The limits every journal keeps.
    pub fn limits(&self) -> JournalLimits {
        self.limits
    }

    /// Bytes held now by the entries of every journal together (grants not used yet left out).
    pub fn used(&self) -> usize {
        let granted: usize = self.grants.iter().map(|g| g.load(Relaxed)).sum();
        self.used.load(Relaxed).saturating_sub(granted)
    }

    /// Takes `bytes` from the budget; false (and nothing taken) when they do not fit.
    fn reserve(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(Relaxed, Relaxed, |used| {
                used.checked_add(bytes)
                    .filter(|&after| after <= self.limits.total_bytes)
            })
            .is_ok()
    }

    fn release(&self, bytes: usize) {
        if bytes > 0 {
            self.used.fetch_sub(bytes, Relaxed);
        }
    }

    fn grant(&self) -> &AtomicUsize {
        self.grants.get_or(|| CachePadded::new(AtomicUsize::new(0)))
    }

    /// Takes `bytes` from this thread's grant, refilled with a batch of at least
    /// [`BATCH_BYTES`] when short; false when the budget has no batch left.
    fn take_batched(&self, bytes: usize) -> bool {
        let grant = self.grant();
        if grant
            .fetch_update(Relaxed, Relaxed, |g| g.checked_sub(bytes))
            .is_ok()
        {
            return true;
        }
        let batch = BATCH_BYTES.max(bytes);
        if !self.reserve(batch) {
            return false;
        }
        grant.fetch_add(batch - bytes, Relaxed);
        true
    }

    /// Puts bytes freed by this thread back into its grant; past two batches, the rest goes
    /// back to the budget.
    fn give_back_batched(&self, bytes: usize) {
        if bytes == 0 {
            return;
        }
        let grant = self.grant();
        let after = grant.fetch_add(bytes, Relaxed) + bytes;
        let excess = after.saturating_sub(2 * BATCH_BYTES);
        if excess > 0
            && grant
                .fetch_update(Relaxed, Relaxed, |g| g.checked_sub(excess))
                .is_ok()
        {
            self.release(excess);
        }
    }

    /// Gives every thread's unused grant back to the budget (when it is short, so that bytes
    /// taken ahead by one thread never refuse an entry of another); the bytes given back.
    fn reclaim(&self) -> usize {
        let reclaimed = self.grants.iter().map(|g| g.swap(0, Relaxed)).sum();
        self.release(reclaimed);
        reclaimed
    }
}

/// The entries one thread recorded in one journal, oldest first.
#[derive(Default)]
struct Shard {
    kept: VecDeque<Recorded>,
    /// Bytes the entries hold, by [`cost`].
    bytes: usize,
    /// Bytes recorded since this shard last trimmed its journal.
    since_trim: usize,
}

impl Shard {
    /// Drops the oldest entries until one of `bytes` more fits the session's limits; the
    /// bytes freed.
    fn fit(&mut self, limits: JournalLimits, bytes: usize, dropped: &mut Vec<Recorded>) -> usize {
        let mut freed = 0;
        while self.kept.len() >= limits.entries || self.bytes + bytes > limits.session_bytes {
            let Some(oldest) = self.kept.pop_front() else {
                break;
            };
            let size = cost(&oldest);
            self.bytes -= size;
            freed += size;
            dropped.push(oldest);
        }
        freed
    }
}

/// Keeps the most recent entries of one session, within its [`JournalLimits`].
///
/// Entries are formatted when read, not when recorded.
pub struct Journal {
    shards: ThreadLocal<CachePadded<Mutex<Shard>>>,
    budget: Arc<JournalBudget>,
    /// Whether bytes come from the thread's grant, taken in batches (the default session,
    /// which every worker records into), rather than from the budget entry by entry (named
    /// sessions: many, each used by one test, so that none holds budget it does not use).
    batched: bool,
}

impl Journal {
    /// A journal that takes the budget entry by entry.
    pub fn new(budget: Arc<JournalBudget>) -> Journal {
        Journal {
            // Grown as requests arrive: a session that is never called costs no buffer.
            shards: ThreadLocal::new(),
            budget,
            batched: false,
        }
    }

    /// A journal that takes the budget [`BATCH_BYTES`] at a time per thread.
    pub fn batched(budget: Arc<JournalBudget>) -> Journal {
        Journal {
            shards: ThreadLocal::new(),
            budget,
            batched: true,
        }
    }

    /// The limits the journal keeps.
    pub(crate) fn limits(&self) -> JournalLimits {
        self.budget.limits()
    }

    /// Adds an entry, dropping the oldest ones past the entry or byte limit of the session;
    /// past the limit of every journal together, only this session's own oldest entries
    /// make room, and without any the entry is not kept.
    pub(super) fn record(&self, mut entry: Recorded) {
        let limits = self.budget.limits();
        let bytes = cost(&entry);
        if limits.entries == 0 || bytes > limits.session_bytes {
            return;
        }
        let mut dropped = Vec::new();
        let shard = self
            .shards
            .get_or(|| CachePadded::new(Mutex::new(Shard::default())));
        let mut own = lock(shard);
        let freed = own.fit(limits, bytes, &mut dropped);
        self.give_back(freed);
        if !self.take(bytes) {
            drop(own);
            let room = self.make_room(bytes, &mut dropped);
            own = lock(shard);
            if !room {
                return;
            }
            let freed = own.fit(limits, bytes, &mut dropped);
            self.give_back(freed);
        }
        entry.arrival = arrival();
        own.bytes += bytes;
        own.kept.push_back(entry);
        own.since_trim += bytes;
        let trim = own.since_trim >= BATCH_BYTES;
        if trim {
            own.since_trim = 0;
        }
        drop(own);
        if trim {
            self.trim(&mut dropped);
        }
        // Freed outside the locks.
        drop(dropped);
    }

    fn take(&self, bytes: usize) -> bool {
        match self.batched {
            true => self.budget.take_batched(bytes),
            false => self.budget.reserve(bytes),
        }
    }

    fn give_back(&self, bytes: usize) {
        match self.batched {
            true => self.budget.give_back_batched(bytes),
            false => self.budget.release(bytes),
        }
    }

    /// Takes `bytes` from a short budget: with every thread's unused grant given back, then
    /// by dropping this journal's oldest entries; false when nothing is left to drop.
    fn make_room(&self, bytes: usize, dropped: &mut Vec<Recorded>) -> bool {
        loop {
            if self.budget.reserve(bytes)
                || (self.budget.reclaim() > 0 && self.budget.reserve(bytes))
            {
                return true;
            }
            let Some(oldest) = self.pop_oldest() else {
                return false;
            };
            self.budget.release(cost(&oldest));
            dropped.push(oldest);
        }
    }

    /// Removes the entry that arrived first, from whichever shard holds it.
    fn pop_oldest(&self) -> Option<Recorded> {
        let mut shards = self.lock_all();
        let at = oldest(&shards)?;
        let shard = &mut shards[at];
        let oldest = shard.kept.pop_front()?;
        shard.bytes -= cost(&oldest);
        Some(oldest)
    }

    /// Drops, from every shard, the entries older than the newest ones within the session's
    /// limits: what no read shows any more.
    ///
    /// Walks from the oldest ends, only over the entries it drops: the shards' sizes say at
    /// once how far past the limits they are, and the oldest entries go, in the order they
    /// arrived, until the rest fits. What is left is exactly what a read shows ([`newest`]:
    /// the newest entries within the limits, in the same order of arrival and shard), and a
    /// trim costs a step per entry dropped, not one per entry shown.
    pub(super) fn trim(&self, dropped: &mut Vec<Recorded>) {
        let mut shards = self.lock_all();
        if shards.len() < 2 {
            // One shard keeps the session's limits itself.
            return;
        }
        let limits = self.budget.limits();
        let (mut entries, mut bytes) = shards
            .iter()
            .fold((0, 0), |(n, b), s| (n + s.kept.len(), b + s.bytes));
        let mut freed = 0;
        while entries > limits.entries || bytes > limits.session_bytes {
            let Some(at) = oldest(&shards) else {
                break;
            };
            let shard = &mut shards[at];
            let Some(old) = shard.kept.pop_front() else {
                break;
            };
            let size = cost(&old);
            shard.bytes -= size;
            (entries, bytes, freed) = (entries - 1, bytes - size, freed + size);
            dropped.push(old);
        }
        drop(shards);
        self.budget.release(freed);
    }

    /// Calls `read` with the entries a read shows, oldest first: the newest ones within the
    /// session's entry and byte limits, in the order they arrived.
    pub(super) fn shown<R>(&self, read: impl FnOnce(&[&Recorded]) -> R) -> R {
        let shards = self.lock_all();
        let mut shown = newest(&shards, self.budget.limits());
        shown.reverse();
        read(&shown)
    }

    /// Bytes this journal holds, shown or not dropped yet.
    pub fn bytes(&self) -> usize {
        self.lock_all().iter().map(|s| s.bytes).sum()
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        let cleared: Vec<Shard> = self
            .lock_all()
            .iter_mut()
            .map(|s| std::mem::take(&mut **s))
            .collect();
        self.budget.release(cleared.iter().map(|s| s.bytes).sum());
    }

    /// Every shard locked, always in the same order (the only place more than one lock is
    /// held).
    fn lock_all(&self) -> Vec<MutexGuard<'_, Shard>> {
        self.shards.iter().map(|s| lock(s)).collect()
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        self.clear();
    }
}

// A panic while holding the lock leaves whole entries behind, so the data stays usable.
fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    shard.lock().unwrap_or_else(|e| e.into_inner())
}

/// The shard whose oldest entry arrived first (the lowest shard among equal arrivals: the
/// reverse of the order [`newest`] takes them in), if any holds one.
fn oldest(shards: &[MutexGuard<'_, Shard>]) -> Option<usize> {
    let (_, at) = shards
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.kept.front().map(|e| (e.arrival, i)))
        .min()?;
    Some(at)
}

/// The newest entries of every shard within `limits`, newest first: the shards merged from
/// their newest ends by arrival, stopping at the first entry past the limits (a step per
/// entry shown and shard, not a sort of every entry held).
fn newest<'a>(shards: &'a [MutexGuard<'_, Shard>], limits: JournalLimits) -> Vec<&'a Recorded> {
    // Per shard, how many of its entries are not taken yet (its oldest ones).
    let mut left: Vec<usize> = shards.iter().map(|s| s.kept.len()).collect();
    let (mut shown, mut bytes) = (Vec::new(), 0usize);
    while shown.len() < limits.entries {
        let next = (0..shards.len())
            .filter(|&i| left[i] > 0)
            .max_by_key(|&i| shards[i].kept[left[i] - 1].arrival);
        let Some(i) = next else {
            break;
        };
        let entry = &shards[i].kept[left[i] - 1];
        let size = cost(entry);
        if bytes + size > limits.session_bytes {
            break;
        }
        bytes += size;
        left[i] -= 1;
        shown.push(entry);
    }
    shown
}

/// Nanoseconds since the first entry of the process: monotonic, so entries recorded one
/// after another, on any threads, are stamped in that order.
fn arrival() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
