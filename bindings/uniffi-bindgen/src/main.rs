//! `uniffi-bindgen` at the workspace's pinned uniffi version.
fn main() {
    uniffi::uniffi_bindgen_main()
}
