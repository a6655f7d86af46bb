//! The `coach` command: parses arguments, sets up logging and runs.

use std::process::ExitCode;

fn main() -> ExitCode {
    coach::main()
}
