//! Replays every committed fuzz seed through the same check the fuzz
//! target runs, on the stable toolchain: the seeds (and every crash input
//! added to them) stay fixed without nightly or cargo-fuzz.

use std::path::Path;

use hardening::invariants::TARGETS;

#[test]
fn every_committed_fuzz_input_passes_its_check() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds");
    for (target, check) in TARGETS {
        let dir = seeds.join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(
            files.len() >= 5,
            "{target}: too few seeds in {}",
            dir.display()
        );
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(
                outcome.is_ok(),
                "{target}: {} fails its check",
                file.display()
            );
        }
    }
}
