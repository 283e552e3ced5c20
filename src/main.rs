use std::process::ExitCode;

fn main() -> ExitCode {
    tooken_mock::cli::run()
}
