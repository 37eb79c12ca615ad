//! The `undersigned` binary: parse arguments, run, print any error once,
//! exit 0 (done), 1 (a check found problems) or 2 (error).

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = run();
    // `undersigned bench run` asks each step for its own peak memory: the
    // kernel's figure for a child counts its parent's memory too.
    if let Some(path) = std::env::var_os("UNDERSIGNED_PEAK_FILE") {
        undersigned::bench::measure::write_own_peak(std::path::Path::new(&path));
    }
    code
}

fn run() -> ExitCode {
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
