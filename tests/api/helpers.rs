//! Shared test plumbing, one module per concern: the fixtures and their secrets, an
//! in-process server on port 0 (`spawn_app`), assertions on responses, the real binary
//! (`Binary`), and raw TCP exchanges.

mod app;
mod assertions;
mod binary;
mod fixtures;
mod raw;

pub use app::*;
pub use assertions::*;
pub use binary::*;
pub use fixtures::*;
pub use raw::*;
