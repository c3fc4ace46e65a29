"""The generated async methods' await, woken without the GIL.

UniFFI's generated await hands each wake to the loop with
``call_soon_threadsafe``, from a ctypes callback that takes the GIL on the
thread that finished the request. Here the continuation is the library's
``rca_wakeup_continuation`` (``include/redis_cloud_auth_wakeup.h``): it
queues the finished poll and makes an eventfd the loop watches readable;
the loop's thread takes the queue. Loops that cannot watch a descriptor
(and platforms without the eventfd) keep the generated await.
"""

from __future__ import annotations

import asyncio
import ctypes
import typing
import weakref

from ._native import redis_cloud_auth_ffi as _ffi

_generated_call_async = _ffi._uniffi_rust_call_async
_LIB = ctypes.PyDLL(_ffi._UniffiLib._name)  # short calls that never wait: the GIL is kept
_TAKE_MAX = 64


class _Wakeup:
    """One event loop's wake-up, and the futures its polls wait on by slot."""

    __slots__ = ("id", "futures", "next", "taken")

    def __init__(self, eventloop: asyncio.AbstractEventLoop) -> None:
        fd = ctypes.c_int32()
        self.id = _LIB.rca_wakeup_new(ctypes.byref(fd))
        if not self.id:
            raise NotImplementedError("no eventfd here")
        try:
            eventloop.add_reader(fd.value, self.take)
        except BaseException:
            _LIB.rca_wakeup_free(self.id)
            raise
        weakref.finalize(eventloop, _LIB.rca_wakeup_free, self.id)  # holds no reference to the loop
        self.futures: dict[int, asyncio.Future[int]] = {}
        self.next = 0
        self.taken = (ctypes.c_uint64 * _TAKE_MAX)()

    def take(self) -> None:
        """Resolves the futures of the polls that finished."""
        n = _TAKE_MAX
        while n == _TAKE_MAX:
            n = _LIB.rca_wakeup_take(self.id, self.taken, _TAKE_MAX)
            for packed in self.taken[:n]:
                future = self.futures.pop(packed >> 8, None)
                if future is not None and not future.cancelled():
                    future.set_result(packed & 0xFF)


# Each loop's wake-up, made at its first await; None where it cannot be.
_wakeups: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, typing.Optional[_Wakeup]] = (
    weakref.WeakKeyDictionary()
)


async def _rust_call_async(rust_future: int, ffi_poll: typing.Any, *rest: typing.Any) -> typing.Any:
    """``_uniffi_rust_call_async`` through the loop's :class:`_Wakeup`; a
    poll that finds the answer ready resolves in place, without a turn of
    the loop. ``rest``: complete, free, lift and the error converter."""
    eventloop = asyncio.get_running_loop()
    wakeup = _wakeups.get(eventloop, False)
    if wakeup is False:
        try:
            wakeup = _Wakeup(eventloop)
        except (NotImplementedError, OSError):
            wakeup = None
        _wakeups[eventloop] = wakeup
    if wakeup is None:
        return await _generated_call_async(rust_future, ffi_poll, *rest)
    ffi_complete, ffi_free, lift, error_converter = rest
    try:
        while True:
            future = eventloop.create_future()
            slot, wakeup.next = wakeup.next, (wakeup.next + 1) & 0xFFFFFFFF
            wakeup.futures[slot] = future
            ffi_poll(rust_future, _CONTINUATION, wakeup.id << 32 | slot)
            wakeup.take()
            if await future == _ffi._UNIFFI_RUST_FUTURE_POLL_READY:
                break
        return lift(_ffi._uniffi_rust_call_with_error(error_converter, ffi_complete, rust_future))
    finally:
        ffi_free(rust_future)


try:
    _LIB.rca_wakeup_new.restype = _LIB.rca_wakeup_take.restype = ctypes.c_uint32
    _LIB.rca_wakeup_new.argtypes = [ctypes.POINTER(ctypes.c_int32)]
    _LIB.rca_wakeup_take.argtypes = [ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32]
    _LIB.rca_wakeup_free.argtypes = [ctypes.c_uint32]
    _CONTINUATION = _ffi._UNIFFI_RUST_FUTURE_CONTINUATION_CALLBACK(
        ctypes.cast(_LIB.rca_wakeup_continuation, ctypes.c_void_p).value
    )
    _ffi._uniffi_rust_call_async = _rust_call_async
except AttributeError:  # a library without the wake-up (not Unix)
    pass
