//! [`ChangeProbe`]: notices commits by any connection of any process to a
//! WAL-mode SQLite file in a few nanoseconds, by reading the WAL-index
//! header in the shared-memory file SQLite itself maps.
//!
//! Every commit rewrites that header (its change counter `iChange`, frame
//! count, salts and checksums; see SQLite's "WAL-mode file format",
//! section 2.1). Reading it needs no lock and no system call, where
//! `PRAGMA data_version` starts a read transaction (shared-memory locks,
//! several microseconds). A torn read while a writer updates the header only
//! makes the probe report a change that the caller then confirms.

use std::ffi::c_void;
use std::path::Path;
use std::ptr;
use std::sync::atomic::{AtomicU32, Ordering};

use rusqlite::{ffi, Connection};

use super::StoreError;

/// Bytes of one copy of the WAL-index header.
const HEADER_WORDS: usize = 12;
/// Size of the first shared-memory region, as SQLite maps it.
const REGION_SIZE: i32 = 32 * 1024;

/// A read-only view of a WAL-mode database's WAL-index header.
pub(crate) struct ChangeProbe {
    header: *const AtomicU32,
    /// Owns SQLite's mapping of the shared memory; never used for queries.
    _conn: Connection,
}

// SAFETY: `header` points into a MAP_SHARED region that stays mapped until
// `_conn` closes, which happens only when the probe drops. The memory is
// only read, with atomic loads, as other processes write it concurrently.
unsafe impl Send for ChangeProbe {}
unsafe impl Sync for ChangeProbe {}

impl std::fmt::Debug for ChangeProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangeProbe")
    }
}

impl ChangeProbe {
    /// Maps the WAL-index of the database at `path` through a dedicated
    /// connection. `None` when the file is not in WAL mode or the VFS does
    /// not expose shared memory (callers then fall back to
    /// `PRAGMA data_version`).
    pub fn open(
        path: &Path,
        connect: impl Fn(&Path) -> Result<Connection, StoreError>,
    ) -> Option<Self> {
        let conn = connect(path).ok()?;
        // A read transaction makes sure the WAL-index exists and is initialised.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .ok()?;
        // SAFETY: documented SQLite calls on a live connection that no
        // other thread uses; the returned pointer is checked before use.
        let region = unsafe {
            let mut file: *mut ffi::sqlite3_file = ptr::null_mut();
            let rc = ffi::sqlite3_file_control(
                conn.handle(),
                c"main".as_ptr(),
                ffi::SQLITE_FCNTL_FILE_POINTER,
                (&mut file as *mut *mut ffi::sqlite3_file).cast::<c_void>(),
            );
            if rc != ffi::SQLITE_OK || file.is_null() || (*file).pMethods.is_null() {
                return None;
            }
            let methods = &*(*file).pMethods;
            let map = if methods.iVersion >= 2 {
                methods.xShmMap?
            } else {
                return None;
            };
            let mut region: *mut c_void = ptr::null_mut();
            if map(file, 0, REGION_SIZE, 0, &mut region) != ffi::SQLITE_OK || region.is_null() {
                return None;
            }
            region
        };
        if (region as usize) % std::mem::align_of::<AtomicU32>() != 0 {
            return None;
        }
        Some(ChangeProbe {
            header: region.cast::<AtomicU32>(),
            _conn: conn,
        })
    }

    /// A token that changes with every commit to the database.
    pub fn token(&self) -> u64 {
        let mut token: u64 = 0xcbf2_9ce4_8422_2325;
        for i in 0..HEADER_WORDS {
            // SAFETY: the header is the first 48 bytes of a region of at
            // least REGION_SIZE bytes, aligned for u32 (checked in `open`).
            let word = unsafe { (*self.header.add(i)).load(Ordering::Acquire) };
            token = (token ^ u64::from(word)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        token
    }
}
