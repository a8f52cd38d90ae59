//! The accept loop: HTTP/1 over hyper with the [`ConnectionLimits`] that `axum::serve` cannot
//! set (it exposes no header-read timeout and no connection cap), and graceful shutdown.

mod idle;
mod limits;

pub use idle::IdleTimeout;
pub use limits::ConnectionLimits;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::AppState;

/// What a connection beyond the cap is told before it is closed: the client learns the server is
/// busy (and may retry) instead of waiting on a socket nobody reads.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 33\r\nretry-after: 1\r\nconnection: close\r\n\r\nToo many connections; try again.\n";

/// Serves `router(state)` on `listener` within `state.config.connections` until `shutdown`
/// resolves; then stops accepting, lets requests in flight finish (idle connections close at
/// once), closes the database and returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let limits = state.config.connections;
    let app = crate::router(state.clone());
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut refusing = false;
    loop {
        let (stream, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if !refusing {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "connection cap reached: new connections are answered 503 until some close"
                );
                refusing = true;
            }
            refuse(stream);
            continue;
        };
        refusing = false;
        let service = app
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(addr));
                req
            });
        let io = TokioIo::new(IdleTimeout::new(stream, limits.idle));
        let conn = graceful.watch(http.serve_connection(io, TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %addr, "connection closed early");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    state.db.close().await;
    Ok(())
}

/// Answers 503 if the socket takes it without waiting, then closes: a refused connection must
/// not hold a descriptor either.
fn refuse(stream: TcpStream) {
    let _ = stream.try_write(BUSY);
}

/// A client that gave up during the handshake is nothing to report; anything else (usually out
/// of file descriptors) is logged, and accepting pauses a second instead of spinning on it.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept a connection; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
