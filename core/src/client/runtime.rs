//! The one tokio runtime the client starts for callers that have none:
//! async calls awaited on another executor, and blocking calls made inside
//! another runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use once_cell::sync::OnceCell;
use parking_lot::Mutex;
use tokio::task::JoinHandle;
use tracing::instrument::WithSubscriber;
use tracing::Instrument;

use super::ClientError;

/// Worker threads of the shared runtime: network waits, not CPU work.
/// Two, though one is enough for the I/O: the answers, their TLS and their
/// JSON are read on the workers, and with one every answer waits behind
/// the others. Against two, one worker made sequential asyncio awaits
/// about 15% faster (no second worker woken to look for work) and 32
/// concurrent ones about 10% slower (`scripts/bench/python_client.py`,
/// alternating wheels).
const RUNTIME_THREADS: usize = 2;

/// The shared runtime, started on first use.
pub(crate) fn shared() -> Result<&'static tokio::runtime::Runtime, ClientError> {
    static RUNTIME: OnceCell<tokio::runtime::Runtime> = OnceCell::new();
    RUNTIME.get_or_try_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(RUNTIME_THREADS)
            .thread_name("redis-cloud-auth")
            .enable_all()
            .build()
            .map_err(|err| ClientError::Transport {
                message: format!("cannot start the client runtime: {err}"),
            })
    })
}

/// Spawns `future` on the shared runtime, keeping the caller's span and
/// tracing subscriber.
fn spawn<T, F>(future: F) -> Result<AbortOnDrop<Result<T, ClientError>>, ClientError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, ClientError>> + Send + 'static,
{
    let future = future.in_current_span().with_current_subscriber();
    Ok(AbortOnDrop::new(shared()?.spawn(future)))
}

/// Runs `future` on the shared runtime and waits for it on this thread
/// (a blocking call made inside another runtime).
///
/// The future is spawned rather than driven with `block_on`, so a call
/// from inside another runtime blocks that thread but never panics.
pub(crate) fn block_on<T, F>(future: F) -> Result<T, ClientError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, ClientError>> + Send + 'static,
{
    let (send, receive) = std::sync::mpsc::sync_channel(1);
    let _task = spawn(async move {
        let _ = send.send(future.await);
        Ok(())
    })?;
    receive.recv().unwrap_or_else(|_| Err(stopped()))
}

/// Awaits `future` inside tokio: in place when the caller is on a tokio
/// runtime, else on the shared runtime, so the client's futures can be
/// awaited on any executor (asyncio, Swift, Kotlin, a plain `block_on`).
pub(crate) async fn on_tokio<T, F>(future: F) -> Result<T, ClientError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, ClientError>> + Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        future.await
    } else {
        spawn(future)?.await
    }
}

fn stopped() -> ClientError {
    ClientError::Transport {
        message: "the request stopped before it finished".to_string(),
    }
}

/// A spawned task that is aborted when its handle is dropped, so that
/// dropping the caller's future cancels the request.
///
/// The task wakes its caller through a [`WakeRelay`], and the result is
/// handed over (or the handle dropped) only once no runtime thread is still
/// inside that wake: a caller's waker may run foreign code (a Python
/// callback that takes the GIL), and a runtime thread still in it after the
/// caller finished could be caught by the caller's shutdown.
struct AbortOnDrop<T> {
    task: JoinHandle<T>,
    relay: Arc<WakeRelay>,
}

impl<T> AbortOnDrop<T> {
    fn new(task: JoinHandle<T>) -> Self {
        AbortOnDrop {
            task,
            relay: Arc::new(WakeRelay::default()),
        }
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.task.abort();
        self.relay.close();
    }
}

impl<T> Future for AbortOnDrop<Result<T, ClientError>> {
    type Output = Result<T, ClientError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.relay.set(cx.waker());
        let relay = Waker::from(self.relay.clone());
        let polled = Pin::new(&mut self.task).poll(&mut Context::from_waker(&relay));
        match polled {
            Poll::Pending => Poll::Pending,
            Poll::Ready(joined) => {
                self.relay.close();
                Poll::Ready(joined.unwrap_or_else(|_| Err(stopped())))
            }
        }
    }
}

/// The waker a spawned task holds: passes each wake on to the caller's
/// current waker, holding a lock for the whole call so that [`close`]
/// waits for a wake in progress.
///
/// [`close`]: WakeRelay::close
#[derive(Default)]
struct WakeRelay(Mutex<Option<Waker>>);

impl WakeRelay {
    /// Makes `waker` the one later wakes reach.
    fn set(&self, waker: &Waker) {
        let mut current = self.0.lock();
        if !current.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *current = Some(waker.clone());
        }
    }

    /// Waits for a wake in progress to return, and drops later ones.
    fn close(&self) {
        self.0.lock().take();
    }
}

impl Wake for WakeRelay {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(waker) = self.0.lock().as_ref() {
            waker.wake_by_ref();
        }
    }
}
