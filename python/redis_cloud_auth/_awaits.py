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
_TAKE_MAX = 256


class _Wakeup:
    """A loop's wake-up and the futures its polls wait on, by slot."""

    def __init__(self, eventloop: asyncio.AbstractEventLoop) -> None:
        made = _LIB.rca_wakeup_new()
        self.id, fd = made >> 32, made & 0xFFFFFFFF
        self.futures: dict[int, asyncio.Future[int]] = {}
        self.slot = 0
        self.taken = (ctypes.c_uint64 * _TAKE_MAX)()
        if not self.id:
            raise NotImplementedError("no eventfd")
        weakref.finalize(self, _LIB.rca_wakeup_free, self.id)
        eventloop.add_reader(fd, self.take)  # the loop holds the wake-up

    def take(self) -> None:
        """Resolves the futures of the polls that finished (the eventfd stays
        readable while more are queued)."""
        for packed in self.taken[: _LIB.rca_wakeup_take(self.id, self.taken, _TAKE_MAX)]:
            future = self.futures.pop(packed >> 8, None)
            if future is not None and not future.cancelled():
                future.set_result(packed & 0xFF)


_wakeups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, typing.Optional[_Wakeup]] = (
    weakref.WeakKeyDictionary()
)


async def _rust_call_async(rust_future: int, poll: typing.Any, *rest: typing.Any) -> typing.Any:
    """``_uniffi_rust_call_async`` woken through the loop's :class:`_Wakeup`; a
    poll that finds the answer ready resolves in place. ``rest``: complete,
    free, lift, the error converter."""
    eventloop = asyncio.get_running_loop()
    if eventloop not in _wakeups:
        try:
            _wakeups[eventloop] = _Wakeup(eventloop)
        except (NotImplementedError, OSError):
            _wakeups[eventloop] = None
    wakeup = _wakeups[eventloop]
    if wakeup is None:
        return await _generated(rust_future, poll, *rest)
    complete, free, lift, error_converter = rest
    try:
        while True:
            future = wakeup.futures[wakeup.slot] = eventloop.create_future()
            slot, wakeup.slot = wakeup.slot, (wakeup.slot + 1) & 0xFFFFFFFF
            poll(rust_future, _CONTINUATION, wakeup.id << 32 | slot)
            wakeup.take()
            if await future == _ffi._UNIFFI_RUST_FUTURE_POLL_READY:
                return lift(_ffi._uniffi_rust_call_with_error(error_converter, complete, rust_future))
    finally:
        free(rust_future)


if hasattr(_LIB, "rca_wakeup_continuation"):  # a Unix build
    _LIB.rca_wakeup_new.restype, _LIB.rca_wakeup_take.restype = ctypes.c_uint64, ctypes.c_uint32
    _LIB.rca_wakeup_take.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32]
    _LIB.rca_wakeup_free.argtypes = [ctypes.c_uint32]
    _address = typing.cast(int, ctypes.cast(_LIB.rca_wakeup_continuation, ctypes.c_void_p).value)
    _CONTINUATION = _ffi._UNIFFI_RUST_FUTURE_CONTINUATION_CALLBACK(_address)
    _ffi._uniffi_rust_call_async = _rust_call_async
