//! A small pool of synchronous Redis connections, each with connect and
//! I/O timeouts, so no call waits on an unreachable server for long.

use std::time::Duration;

use parking_lot::Mutex;
use redis::{Client, Connection, RedisError};

use crate::store::StoreError;

/// Idle connections kept for reuse; more are opened when busy.
const IDLE_MAX: usize = 8;

/// Opens connections to one server and keeps a few idle ones.
pub(super) struct Connections {
    client: Client,
    connect_timeout: Duration,
    io_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
}

impl Connections {
    /// Connections to the server `client` names.
    pub fn new(client: Client, connect_timeout: Duration, io_timeout: Duration) -> Self {
        Connections {
            client,
            connect_timeout,
            io_timeout,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Opens a new connection whose reads and writes time out after `io_timeout`.
    pub fn open(&self, io_timeout: Duration) -> Result<Connection, RedisError> {
        let con = self
            .client
            .get_connection_with_timeout(self.connect_timeout)?;
        con.set_read_timeout(Some(io_timeout))?;
        con.set_write_timeout(Some(io_timeout))?;
        Ok(con)
    }

    /// Runs `work` on an idle connection (or a new one). A connection that
    /// saw a Redis error is dropped rather than reused, so no half-read
    /// reply or leftover `WATCH` reaches the next caller; `work` must leave
    /// the connection clean when it returns a [`Failure::Store`].
    pub fn with<T>(
        &self,
        context: &'static str,
        work: impl FnOnce(&mut Connection) -> Result<T, Failure>,
    ) -> Result<T, StoreError> {
        let idle = self.idle.lock().pop();
        let mut con = match idle {
            Some(con) => con,
            None => self
                .open(self.io_timeout)
                .map_err(|e| unavailable(e, context))?,
        };
        match work(&mut con) {
            Ok(value) => {
                self.put_back(con);
                Ok(value)
            }
            Err(Failure::Store(e)) => {
                // A refusal leaves the connection clean (no WATCH pending).
                self.put_back(con);
                Err(e)
            }
            Err(Failure::Redis(e)) => {
                if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() {
                    // The server went away: the idle connections are dead too.
                    self.clear();
                }
                Err(unavailable(e, context))
            }
        }
    }

    fn put_back(&self, con: Connection) {
        let mut idle = self.idle.lock();
        if idle.len() < IDLE_MAX {
            idle.push(con);
        }
    }

    /// Drops every idle connection (after the server went away).
    pub fn clear(&self) {
        self.idle.lock().clear();
    }
}

/// What a unit of work on a connection can fail with.
pub(super) enum Failure {
    /// Redis (I/O, timeout, a server error): reported as unavailable.
    Redis(RedisError),
    /// A store-level outcome such as a conflict or a duplicate.
    Store(StoreError),
}

impl From<RedisError> for Failure {
    fn from(e: RedisError) -> Self {
        Failure::Redis(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

/// Reports a Redis error through `tracing` and maps it to
/// [`StoreError::Unavailable`]. Redis errors name no URL or password.
pub(super) fn unavailable(error: RedisError, context: &'static str) -> StoreError {
    tracing::warn!(%error, context, "Redis store error");
    StoreError::Unavailable(context)
}
