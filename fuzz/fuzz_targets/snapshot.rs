//! The snapshot loader on arbitrary bytes: it never panics, a refusal always lists located
//! problems, and an accepted snapshot survives being indexed, exported and loaded again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tooken_mock::store::snapshot::Snapshot;
use tooken_mock::store::Store;

fuzz_target!(|data: &[u8]| {
    match Snapshot::parse(data) {
        Ok(snapshot) => {
            let count = snapshot.token_count();
            let exported = Store::new(snapshot).export();
            let reloaded = Snapshot::parse(&exported)
                .unwrap_or_else(|e| panic!("the export of an accepted snapshot is refused: {e}"));
            assert_eq!(reloaded.token_count(), count);
        }
        Err(error) => {
            assert!(!error.0.is_empty(), "a refusal lists no problem");
            for problem in &error.0 {
                assert!(!problem.location.is_empty(), "{problem:?}");
                assert!(!problem.message.is_empty(), "{problem:?}");
            }
        }
    }
});
