//! Local-first security (rules 31 and 42): no web page the developer visits can read or change
//! the mock. The admin API refuses pages on other origins unless `admin.cors_origins` lists
//! them, while its own origin (Swagger UI) keeps working (`admin_origin.rs`); a server on
//! loopback answers only `Host` values that name loopback or a host of `server.allowed_hosts`,
//! so a page reaching it through DNS rebinding is refused everywhere (`host_check.rs`), by one
//! rule for every kind of route of the mock and the proxy (`host_rule.rs`).

mod admin_origin;
mod host_check;
mod host_rule;
