//! The HTTP service: GraphQL over HTTP, WebSocket subscriptions, the IDE,
//! health and metrics.

use crate::settings::Settings;

/// The running service, built the same way by `main` and by tests (which
/// listen on port 0 and read the bound port back).
#[derive(Debug)]
pub struct Application {
    pub settings: Settings,
}
