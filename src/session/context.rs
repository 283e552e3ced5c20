//! The session of every request, decided once at its start (the shell's
//! [`RequestContext`]), before any layer or handler asks for it.
//!
//! Deciding it first, in one place, is what keeps the mock controls, the handler and the
//! journal on the same session: none of them resolves it again. The right to create a
//! session is decided here too: an admin call that passes the admin access rule may create
//! the session it names, where first use by any other request may not (beyond loopback with
//! `admin.token`).

use actix_web::dev::ServiceRequest;
use actix_web::HttpMessage;

use super::selector::Selection;
use crate::http::access::AdminAccess;
use crate::http::middleware::RequestContext;

/// Decides the [`Selection`] of every request of the mock.
pub(crate) struct SessionContext {
    /// Where the admin API lives, as routed (`/__admin`).
    pub(crate) admin_prefix: &'static str,
    /// Who may use it: the same rule its guard applies.
    pub access: AdminAccess,
}

impl RequestContext for SessionContext {
    fn decide(&self, req: &ServiceRequest) {
        // The path as routed (percent-encoded unreserved characters decoded), so that every
        // spelling of an admin path the router accepts counts as one.
        let admin = req.match_info().as_str().starts_with(self.admin_prefix);
        let may_create = admin && self.access.check(req.headers()).is_ok();
        if let Ok(selection) = Selection::decide(req.request(), may_create) {
            req.extensions_mut().insert(selection);
        }
    }
}
