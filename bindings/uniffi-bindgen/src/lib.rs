//! Nothing to link: this library target exists so that `redis-cloud-auth-ffi`
//! can name this package as a dev-dependency, which makes the Python sdist
//! carry the `uniffi-bindgen` binary that maturin runs to generate the
//! Python module. The binary is `src/main.rs`.
