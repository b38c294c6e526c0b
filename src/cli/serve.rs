//! `codifica serve`: starts the local web app (Buscar, Codificar, Tablero, Entidad) on the
//! workspace and prints its address. Loopback only unless `--host` says otherwise; then an access
//! token is required and printed. Ctrl-C stops it.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Context;
use codifica::web::{DEFAULT_PORT, ServeOptions, Server};

use super::{Global, open_workspace};

/// Options of `codifica serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, short = 'p', default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address (127.0.0.1, ::1) makes the app
    /// reachable from other machines and requires the access token printed at start.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Department boundaries GeoJSON for the Tablero's map (as `report --boundaries`).
    #[arg(long)]
    pub boundaries: Option<PathBuf>,
    /// Municipality gazetteer CSV placing entities on the map (as `report --gazetteer`).
    #[arg(long)]
    pub gazetteer: Option<PathBuf>,
}

impl Args {
    fn options(self) -> ServeOptions {
        let (host, port, boundaries, gazetteer) =
            (self.host, self.port, self.boundaries, self.gazetteer);
        ServeOptions {
            host,
            port,
            boundaries,
            gazetteer,
            ..ServeOptions::default()
        }
    }
}

/// The address, and the access code when other machines can reach the app.
fn announce(server: &Server) {
    println!("codifica serving on {} (Ctrl-C to stop)", server.url());
    if server.requires_token() {
        let (addr, token) = (server.addr(), server.access_token());
        println!(
            "Warning: listening on {addr} (reachable from other machines). Access code: {token}"
        );
    }
}

/// Runs `codifica serve` until Ctrl-C.
pub fn run(args: Args, g: &Global) -> anyhow::Result<()> {
    let ws = open_workspace(g)?;
    let server = Server::bind(ws, &args.options()).context("cannot start the web app")?;
    announce(&server);
    server.run(true)?;
    if !g.quiet {
        eprintln!("codifica serve: stopped");
    }
    Ok(())
}
