//! tooken-mock: a mock server of the Tooken API's `GET /v1/tokens`.
//!
//! Handlers parse the query into a [`domain::ListQuery`] and send it, with the presented
//! credentials, to the worker's store actor (`store::actor::StoreActor`), which authenticates
//! against the session's [`store::Store`] and lists one page of its status-partitioned index.
//! [`startup::Application`] wires it together.
//!
//! The public modules are what the binary, the benches, the integration tests and the fuzz
//! targets use; everything else is `pub(crate)`.

#![warn(unreachable_pub, missing_docs)]

mod admin;
mod api;
pub mod cli;
pub mod clock;
pub mod domain;
mod fidelity;
pub mod generate;
mod har;
pub mod http;
pub mod metrics;
mod mock;
mod openapi;
pub mod proxy;
mod ready_file;
pub mod record;
pub mod session;
pub mod settings;
pub mod signals;
pub mod startup;
pub mod store;
pub mod telemetry;
mod yaml;
