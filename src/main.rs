use std::process::ExitCode;

fn main() -> ExitCode {
    haul::cli::main()
}
