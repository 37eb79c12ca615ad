//! The `undersigned` binary: parse arguments, run, print any error once,
//! exit 0 (done), 1 (a check found problems) or 2 (error).

use std::process::ExitCode;

fn main() -> ExitCode {
    match undersigned::cli::main() {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`undersigned export ... | head`) is not an error.
            if err
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("undersigned: {err:#}");
            ExitCode::from(2)
        }
    }
}
