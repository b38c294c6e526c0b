//! The `codifica` command: parses arguments and hands them to one subcommand in `cli/`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
