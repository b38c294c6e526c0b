//! `codifica completions` and `codifica manpage`: the shell completion scripts and man pages
//! clap derives from the command line's own definition.

use clap::CommandFactory;

use super::Cli;

/// `codifica completions SHELL`: the shell's completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "codifica", &mut std::io::stdout());
    Ok(())
}

/// `codifica manpage [COMMAND]`: the page of codifica, or of one subcommand as `codifica-NAME`.
pub fn manpage(command: Option<&str>) -> anyhow::Result<()> {
    let mut cli = Cli::command();
    // Builds the tree so each subcommand's page lists the global options too.
    cli.build();
    let man = match command {
        None => clap_mangen::Man::new(cli),
        Some(name) => subcommand_page(&cli, name)?,
    };
    let mut out = std::io::stdout().lock();
    man.render(&mut out)?;
    Ok(())
}

/// The page of subcommand `name`, titled `codifica-NAME`; an unknown name lists the known ones.
fn subcommand_page(cli: &clap::Command, name: &str) -> anyhow::Result<clap_mangen::Man> {
    let Some(sub) = cli.find_subcommand(name) else {
        let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
        anyhow::bail!("no subcommand '{name}': codifica has {}", names.join(", "));
    };
    let title = format!("codifica-{name}");
    let sub = sub
        .clone()
        .display_name(title.clone())
        .bin_name(format!("codifica {name}"));
    Ok(clap_mangen::Man::new(sub)
        .title(title)
        .source(format!("codifica {}", env!("CARGO_PKG_VERSION"))))
}
