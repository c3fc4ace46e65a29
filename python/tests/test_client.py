"""The client against a real `rcauth serve`: every outcome, blocking and
asyncio."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import os
import subprocess
import sys

import pytest

import redis_cloud_auth as rca
from conftest import assert_no_secret


def secrets_of(keys: rca.ApiKeys) -> list[str]:
    return [keys.expose_account_key(), keys.expose_user_key()]


class Calls:
    """The same calls on the blocking and the asyncio client."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def client(self, credentials, **options):
        cls = rca.BlockingClient if self.mode == "blocking" else rca.Client
        return cls(credentials, **options)

    def run(self, client, name: str, *args, **kwargs):
        method = getattr(client, name)
        if self.mode == "blocking":
            return method(*args, **kwargs)
        return asyncio.run(method(*args, **kwargs))

    def error(self, client, name: str, *args, **kwargs) -> rca.ClientError:
        with pytest.raises(rca.ClientError) as caught:
            self.run(client, name, *args, **kwargs)
        return caught.value


@pytest.fixture(params=["blocking", "asyncio"])
def calls(request) -> Calls:
    return Calls(request.param)


def test_account_and_system_log(emulator, calls):
    client = calls.client(emulator.keys, base_url=emulator.base_url)
    account = calls.run(client, "account")
    assert type(account) is rca.AccountInfo
    assert (type(account.key), type(account.key.owner)) == (rca.KeyInfo, rca.Owner)
    assert (account.id, account.name) == (emulator.account, "acme")
    assert account.key.name == "loopback-key"
    assert account.key.owner == rca.Owner(name="Ada", email="ada@example.com")
    assert account.key.allowed_source_ips == ["127.0.0.0/8", "::1/128"]
    assert account.key.http_source_ip == "127.0.0.1"
    page = calls.run(client, "system_log", offset=0, limit=5)
    assert 1 <= len(page.entries) <= 5
    newest = page.entries[0]
    assert all(type(e) is rca.SystemLogEntry for e in page.entries)
    assert newest.api_key_name == "loopback-key"
    assert newest.kind == "authentication"
    assert "127.0.0.1" in newest.description
    assert page.links == []


def test_generic_request(emulator, calls):
    client = calls.client(emulator.keys, base_url=emulator.base_url)
    response = calls.run(client, "request", "GET", "/")
    assert response.status == 200
    assert response.json["account"]["key"]["name"] == "loopback-key"
    assert "x-api-key" not in response.headers and "x-api-secret-key" not in response.headers
    assert response.headers["content-type"].startswith("application/json")


def test_refusals(emulator, calls):
    url = emulator.base_url
    wrong = rca.ApiKeys(emulator.keys.expose_account_key(), "WrongUserKey0123456789")
    cases = [
        (wrong, "unauthorized", 401),
        (emulator.disabled_keys, "unauthorized", 401),
        (emulator.outside_keys, "forbidden", 403),
    ]
    for keys, code, status in cases:
        error = calls.error(calls.client(keys, base_url=url, max_retries=0), "account")
        assert (error.code, error.status) == (code, status)
        assert_no_secret(str(error) + repr(error), *secrets_of(keys))
    client = calls.client(emulator.keys, base_url=url, max_retries=0)
    error = calls.error(client, "request", "GET", "/no-such-thing")
    assert (error.code, error.status) == ("not_found", 404)
    error = calls.error(client, "request", "DELETE", "/logs")
    assert error.code == "api_error" and error.status == 405


def test_rate_limited(emulator, calls):
    client = calls.client(
        emulator.keys, base_url=emulator.limited_base_url, max_retries=1, max_retry_after=0.2
    )
    error = None
    for _ in range(3):
        try:
            calls.run(client, "account")
        except rca.ClientError as caught:
            error = caught
            break
    assert error is not None, "the limited emulator never answered 429"
    assert (error.code, error.status) == ("rate_limited", 429)
    assert error.retry_after is not None and error.retry_after > 0.2
    assert "retry after" in str(error)


def test_timeout_transport_and_invalid_requests(emulator, calls, silent_port, closed_port):
    slow = calls.client(
        emulator.keys, base_url=f"http://127.0.0.1:{silent_port}/v1", timeout=0.3, max_retries=0
    )
    assert calls.error(slow, "account").code == "timeout"
    refused = calls.client(emulator.keys, base_url=f"http://127.0.0.1:{closed_port}/v1", max_retries=0)
    error = calls.error(refused, "account")
    assert error.code == "transport" and error.status is None
    client = calls.client(emulator.keys, base_url=emulator.base_url)
    assert calls.error(client, "system_log", limit=0).code == "invalid_request"
    assert calls.error(client, "request", "GET", "/", json={"a": 1}).code == "invalid_request"
    assert calls.error(client, "request", "BREW", "/").code == "invalid_request"
    with pytest.raises(rca.ClientError) as caught:
        calls.client(emulator.keys, max_retries=99)
    assert caught.value.code == "invalid_request"


def test_credentials_from_chain_and_credentials(emulator, calls):
    keys = emulator.keys
    chain = rca.CredentialChain(
        environment={
            "REDIS_CLOUD_ACCOUNT_KEY": keys.expose_account_key(),
            "REDIS_CLOUD_USER_KEY": keys.expose_user_key(),
            "REDIS_CLOUD_BASE_URL": emulator.base_url,
        },
        profile_file=None,
        keychain=False,
    )
    client = calls.client(chain)
    assert client.base_url == emulator.base_url
    assert calls.run(client, "account").key.name == "loopback-key"
    credentials = rca.Credentials(keys, base_url=emulator.base_url)
    assert calls.run(calls.client(credentials), "account").id == emulator.account
    with pytest.raises(rca.ClientError) as caught:
        calls.client(rca.CredentialChain(environment={}, profile_file=None, keychain=False))
    assert (caught.value.code, caught.value.credential_code) == ("credentials", "not_found")
    with pytest.raises(TypeError):
        calls.client("AccountKey0123")


def test_client_text_forms_hold_no_secret(emulator, calls):
    client = calls.client(emulator.keys, base_url=emulator.base_url)
    assert emulator.keys.fingerprint in repr(client)
    assert client.fingerprint == emulator.keys.fingerprint
    assert_no_secret(repr(client) + str(client), *secrets_of(emulator.keys))


def test_asyncio_calls_run_concurrently_without_blocking_the_loop(emulator, held):
    client = rca.Client(emulator.keys, base_url=emulator.base_url)
    slow = rca.Client(emulator.keys, base_url=held.base_url, max_retries=0)

    async def main():
        loop = asyncio.get_running_loop()
        in_flight = asyncio.create_task(slow.account())
        # The request reaches the proxy, which holds it until released below.
        await loop.run_in_executor(None, held.wait_for_request)
        # The loop is free: twenty other calls start and finish meanwhile.
        results = await asyncio.gather(*(client.account() for _ in range(20)))
        still_held = held.holding
        held.release()
        return results, still_held, await in_flight

    results, still_held, answer = asyncio.run(main())
    assert {r.key.name for r in results} == {"loopback-key"}
    # Had the held call blocked the loop, nothing would have run until the
    # proxy gave up on the test.
    assert still_held and not held.gave_up
    assert answer.key.name == "loopback-key"


def counting_hand_overs(loop: asyncio.AbstractEventLoop) -> list[int]:
    """Counts the loop's call_soon_threadsafe calls (UniFFI's generated await
    hands each wake over with one)."""
    count = [0]
    call_soon_threadsafe = loop.call_soon_threadsafe

    def counting(*args):
        count[0] += 1
        return call_soon_threadsafe(*args)

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign]
    return count


async def twenty_calls(client: rca.Client) -> list:
    answers = [await asyncio.wait_for(client.account(), 10) for _ in range(10)]
    return answers + await asyncio.wait_for(asyncio.gather(*(client.account() for _ in range(10))), 10)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the eventfd wake-up is Linux's")
def test_asyncio_awaits_wake_the_loop_through_its_descriptor(emulator):
    # The library's threads queue each finished poll and make the loop's
    # descriptor readable; no wake goes through call_soon_threadsafe.
    client = rca.Client(emulator.keys, base_url=emulator.base_url)

    async def main():
        await client.account()  # the connection is made
        handed_over = counting_hand_overs(asyncio.get_running_loop())
        answers = await twenty_calls(client)
        return handed_over[0], answers

    handed_over, answers = asyncio.run(main())
    assert [a.key.name for a in answers] == ["loopback-key"] * 20
    assert handed_over == 0


def test_loops_on_several_threads_each_get_their_own_answers(emulator):
    client = rca.Client(emulator.keys, base_url=emulator.base_url)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        runs = [pool.submit(asyncio.run, twenty_calls(client)) for _ in range(8)]
        answers = [a for run in runs for a in run.result(timeout=60)]
    assert [a.key.name for a in answers] == ["loopback-key"] * 160


def test_a_loop_that_cannot_watch_a_descriptor_keeps_the_generated_await(emulator):
    class NoReaders(asyncio.SelectorEventLoop):
        # The base loop's add_reader: it watches no descriptors, as Windows' proactor loop.
        add_reader = asyncio.BaseEventLoop.add_reader

    client = rca.Client(emulator.keys, base_url=emulator.base_url)
    loop = NoReaders()
    try:
        handed_over = counting_hand_overs(loop)
        answers = loop.run_until_complete(twenty_calls(client))
    finally:
        loop.close()
    assert [a.key.name for a in answers] == ["loopback-key"] * 20
    assert handed_over[0] >= 20  # each call's answer handed over at least once


def descriptors_after(run, times: int = 30) -> tuple[int, int]:
    """This process's open descriptors after one run, and after ``times`` more."""
    run()
    gc.collect()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(times):
        run()
    gc.collect()
    return before, len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc")
def test_each_loops_wakeup_is_freed_with_the_loop(emulator):
    client = rca.Client(emulator.keys, base_url=emulator.base_url)

    def answered():
        assert asyncio.run(client.account()).key.name == "loopback-key"

    before, after = descriptors_after(answered)
    assert after <= before + 2


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts descriptors in /proc")
def test_a_loop_ended_by_a_timed_out_call_is_freed(emulator, silent_port):
    # The cancelled call's future must not keep its loop (and eventfd) alive.
    slow = rca.Client(emulator.keys, base_url=f"http://127.0.0.1:{silent_port}/v1", timeout=30, max_retries=0)

    def timed_out():
        with pytest.raises(asyncio.TimeoutError):
            asyncio.run(asyncio.wait_for(slow.account(), timeout=0.05))

    before, after = descriptors_after(timed_out)
    assert after <= before + 2


def test_asyncio_cancellation_leaves_the_client_usable(emulator, silent_port, held):
    slow = rca.Client(emulator.keys, base_url=f"http://127.0.0.1:{silent_port}/v1", timeout=30, max_retries=0)
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(asyncio.wait_for(slow.account(), timeout=0.2))
    client = rca.Client(emulator.keys, base_url=held.base_url, max_retries=0)

    async def main():
        loop = asyncio.get_running_loop()
        task = asyncio.create_task(client.account())
        await loop.run_in_executor(None, held.wait_for_request)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Cancelled while the answer was still held: it did not wait for it.
        cancelled_while_held = held.holding
        held.release()
        return cancelled_while_held, await client.account()

    cancelled_while_held, account = asyncio.run(main())
    assert cancelled_while_held and not held.gave_up
    assert account.key.name == "loopback-key"


# A process that used the asyncio client, then exits normally. Where the
# generated await is kept, the last answers' wakes call into Python from
# the library's threads; one still inside such a call while the
# interpreter finalized was ended by it, and the process aborted ("FATAL:
# exception not rethrown"). The eventfd wake-up must exit as cleanly.
EXIT_AFTER_ASYNC = """
import asyncio, os, sys
import redis_cloud_auth as rca

keys = rca.ApiKeys(os.environ["RCA_ACCOUNT_KEY"], os.environ["RCA_USER_KEY"])

async def main():
    client = rca.Client(keys, base_url=os.environ["RCA_URL"])
    answers = await asyncio.gather(*(client.account() for _ in range(32)))
    assert {a.key.name for a in answers} == {"loopback-key"}
    # Cancelled while in flight: the dropped calls' wakes race the exit too.
    pending = [asyncio.ensure_future(client.account()) for _ in range(8)]
    await asyncio.sleep(0)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await asyncio.gather(*(client.account() for _ in range(8)))

asyncio.run(main())
"""


def test_process_exits_cleanly_after_asyncio_calls(emulator):
    env = dict(
        os.environ,
        RCA_URL=emulator.base_url,
        RCA_ACCOUNT_KEY=emulator.keys.expose_account_key(),
        RCA_USER_KEY=emulator.keys.expose_user_key(),
    )
    # Four at a time, so that exits overlap the library's threads often.
    for _ in range(8):
        runs = [
            subprocess.Popen([sys.executable, "-c", EXIT_AFTER_ASYNC], env=env, stderr=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        for run in runs:
            _, stderr = run.communicate(timeout=60)
            assert run.returncode == 0 and "FATAL" not in stderr, (run.returncode, stderr)
