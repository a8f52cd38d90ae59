//! How long a connection may keep the server waiting, and how many it may hold at once.

use std::time::Duration;

/// Bounds on connections, so that silent or slow clients cannot hold sockets (and with them file
/// descriptors) without end: each open connection costs one descriptor, and a few hundred silent
/// ones used to exhaust the process's file limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client has to send a complete request head: from opening the connection, and
    /// again between requests on a kept-alive connection (so it is also the keep-alive limit).
    /// Past it the connection is closed.
    pub header_read: Duration,
    /// How long a connection may have a read or a write waiting with no byte moving either way
    /// (a body that stops halfway, a client that stops reading the response). Kept above the
    /// 30-second request timeout, so a slow handler is answered 408 before this strikes.
    pub idle: Duration,
    /// Connections open at once; beyond it a new connection is answered 503 and closed at once,
    /// without waiting for its request.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            max_connections: 512,
        }
    }
}
