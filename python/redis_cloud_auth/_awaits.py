"""The generated async methods' await, woken without the GIL: the futures'
continuation is the library's, which queues a finished poll and makes an
eventfd the loop watches readable (``bindings/ffi/README.md``). Loops that
cannot watch a descriptor keep UniFFI's (``call_soon_threadsafe``)."""

from __future__ import annotations

import asyncio
import ctypes
import typing
import weakref

from ._native import redis_cloud_auth_ffi as _ffi

_generated = _ffi._uniffi_rust_call_async
_LIB = ctypes.PyDLL(_ffi._UniffiLib._name)  # short calls that never wait: the GIL is kept


class _Wakeup:
    """A loop's wake-up (``id`` 0 where there is none: the loop keeps UniFFI's
    await), and the futures its polls wait on by slot, held weakly."""

    def __init__(self, eventloop: asyncio.AbstractEventLoop) -> None:
        self.id, fd = divmod(_LIB.rca_wakeup_new(), 1 << 32)
        self.futures: weakref.WeakValueDictionary[int, asyncio.Future[int]] = weakref.WeakValueDictionary()
        self.slot = 0
        self.taken = (ctypes.c_uint64 * 256)()
        if self.id:
            weakref.finalize(self, _LIB.rca_wakeup_free, self.id)
            try:
                eventloop.add_reader(fd, self.take)  # the loop holds the wake-up
            except Exception:  # a loop that cannot watch a descriptor
                self.id = 0

    def take(self) -> None:
        """Resolves the futures of the polls that finished (the rest keep the eventfd readable)."""
        for packed in self.taken[: _LIB.rca_wakeup_take(self.id, self.taken, len(self.taken))]:
            future = self.futures.pop(packed >> 8, None)
            if future is not None and not future.done():
                future.set_result(packed & 0xFF)


# Each loop's wake-up, made at its first await.
_wakeups: weakref.WeakKeyDictionary[typing.Any, _Wakeup] = weakref.WeakKeyDictionary()


async def _rust_call_async(rust_future: int, poll: typing.Any, *rest: typing.Any) -> typing.Any:
    """``_uniffi_rust_call_async`` woken through the loop's :class:`_Wakeup`; a poll
    that finds the answer ready resolves in place. ``rest``: complete, free, lift, errors."""
    complete, free, lift, error_converter = rest
    try:
        eventloop = asyncio.get_running_loop()
        wakeup = _wakeups.get(eventloop) or _wakeups.setdefault(eventloop, _Wakeup(eventloop))
    except TypeError:  # a loop that takes no weak reference
        return await _generated(rust_future, poll, *rest)
    except BaseException:  # no running loop
        free(rust_future)
        raise
    if not wakeup.id:
        return await _generated(rust_future, poll, *rest)
    try:
        while True:
            slot, wakeup.slot = wakeup.slot, (wakeup.slot + 1) & 0xFFFFFFFF
            future = wakeup.futures[slot] = eventloop.create_future()
            poll(rust_future, _CONTINUATION, wakeup.id << 32 | slot)
            wakeup.take()
            if await future == _ffi._UNIFFI_RUST_FUTURE_POLL_READY:
                return lift(_ffi._uniffi_rust_call_with_error(error_converter, complete, rust_future))
    finally:
        wakeup.futures.pop(slot, None)
        free(rust_future)


if hasattr(_LIB, "rca_wakeup_continuation"):  # a Unix build
    _LIB.rca_wakeup_new.restype, _LIB.rca_wakeup_take.restype = ctypes.c_uint64, ctypes.c_uint32
    _LIB.rca_wakeup_take.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32]
    _LIB.rca_wakeup_free.argtypes = [ctypes.c_uint32]
    _address = typing.cast(int, ctypes.cast(_LIB.rca_wakeup_continuation, ctypes.c_void_p).value)
    _CONTINUATION = _ffi._UNIFFI_RUST_FUTURE_CONTINUATION_CALLBACK(_address)
    _ffi._uniffi_rust_call_async = _rust_call_async
