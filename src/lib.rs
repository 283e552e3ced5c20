//! tooken-mock: a mock server of the Tooken API's `GET /v1/tokens`.
//!
//! Handlers authenticate from a shared index of secret digests, parse the query into a
//! [`domain::ListQuery`], and ask the [`store::actor::StoreActor`] for one page of its
//! status-partitioned [`store::Store`]. [`startup::Application`] wires it together.

pub mod admin;
pub mod api;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod domain;
pub mod generate;
pub mod metrics;
pub mod mock;
pub mod proxy;
pub mod record;
pub mod settings;
pub mod startup;
pub mod store;
pub mod telemetry;
