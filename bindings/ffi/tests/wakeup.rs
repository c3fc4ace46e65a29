//! The event-loop wake-up (`wakeup.rs`) driven as the Python package drives
//! it: a continuation from another thread makes the descriptor readable and
//! queues the poll; one from the loop's own thread only queues it.

use redis_cloud_auth_ffi::wakeup::{
    rca_wakeup_continuation, rca_wakeup_free, rca_wakeup_new, rca_wakeup_take,
};

/// Whether `fd` is readable now.
fn readable(fd: i32) -> bool {
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ready = unsafe { libc::poll(&mut poll, 1, 0) };
    assert!(ready >= 0, "poll: {}", std::io::Error::last_os_error());
    ready == 1 && poll.revents & libc::POLLIN != 0
}

fn take(id: u32, cap: u32) -> Vec<u64> {
    let mut out = vec![0u64; cap as usize];
    let n = unsafe { rca_wakeup_take(id, out.as_mut_ptr(), cap) };
    out.truncate(n as usize);
    out
}

fn data(id: u32, slot: u32) -> u64 {
    (u64::from(id) << 32) | u64::from(slot)
}

#[test]
fn another_threads_continuations_wake_the_loop_once_and_queue_in_order() {
    let mut fd = -1;
    let id = unsafe { rca_wakeup_new(&mut fd) };
    assert_ne!(id, 0);
    assert!(fd >= 0 && !readable(fd));
    std::thread::spawn(move || {
        rca_wakeup_continuation(data(id, 7), 1);
        rca_wakeup_continuation(data(id, 0xFFFF_FFFF), 0);
        rca_wakeup_continuation(data(id, 3), 0);
    })
    .join()
    .unwrap();
    assert!(readable(fd));
    // Taken in two calls: the descriptor stays readable until the queue is empty.
    assert_eq!(take(id, 2), [7 << 8 | 1, 0xFFFF_FFFF << 8]);
    assert!(readable(fd));
    assert_eq!(take(id, 2), [3 << 8]);
    assert!(!readable(fd));
    assert_eq!(take(id, 2), [] as [u64; 0]);
    rca_wakeup_free(id);
}

#[test]
fn the_loops_own_continuation_queues_without_a_wake() {
    let mut fd = -1;
    let id = unsafe { rca_wakeup_new(&mut fd) };
    rca_wakeup_continuation(data(id, 5), 0);
    assert!(!readable(fd));
    assert_eq!(take(id, 8), [5 << 8]);
    rca_wakeup_free(id);
}

#[test]
fn a_freed_wakeup_drops_its_continuations_and_ids_are_not_reused() {
    let mut fd = -1;
    let first = unsafe { rca_wakeup_new(&mut fd) };
    rca_wakeup_free(first);
    let second = unsafe { rca_wakeup_new(&mut fd) };
    assert!(second > first);
    std::thread::spawn(move || rca_wakeup_continuation(data(first, 1), 0))
        .join()
        .unwrap();
    assert_eq!(take(first, 8), [] as [u64; 0]);
    assert!(
        !readable(fd),
        "the second wake-up saw the first's continuation"
    );
    assert_eq!(take(second, 8), [] as [u64; 0]);
    rca_wakeup_free(second);
    rca_wakeup_free(second); // twice: ignored
    assert_eq!(unsafe { rca_wakeup_new(std::ptr::null_mut()) }, 0);
}
