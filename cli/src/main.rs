//! The `rcauth` binary.

fn main() -> std::process::ExitCode {
    rcauth::main()
}
