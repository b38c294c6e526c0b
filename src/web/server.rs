//! Web stage: the HTTP server. Binds the address, routes requests to the pages, and wraps every
//! request in the guards: Host check on loopback (against DNS rebinding), access token beyond
//! loopback, a session cookie for CSRF, and security headers. Handlers run the library's
//! blocking calls on tokio's blocking pool.
//!
//! In: a workspace and [`ServeOptions`]. Out: a running server until [`StopHandle::stop`] or
//! Ctrl-C.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;

use crate::error::{Error, Result};
use crate::report::MapInput;
use crate::workspace::Workspace;

use super::pages;
use super::security::{self, SESSION_COOKIE, Session, TOKEN_COOKIE};
use super::state::App;

/// Default [`ServeOptions::header_timeout`]: a connection that has not sent a whole request
/// head by then is closed (axum's own `serve` runs hyper without a timer, so a client that
/// connects and says nothing would hold its connection until the server stops).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default [`ServeOptions::body_timeout`]: a request whose body has not fully arrived by then
/// is answered 408 and its connection closed (hyper has no body timeout of its own, so a client
/// that sends a head and then stalls would hold its connection forever).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default [`ServeOptions::max_connections`]: connections served at once. Past it new ones wait
/// in the system's queue until one closes, so stalled clients cannot exhaust file descriptors
/// (a browser opens about six).
pub const MAX_CONNECTIONS: usize = 256;

/// Largest request body read (the app's forms are a few hundred bytes).
const MAX_BODY_BYTES: usize = 1 << 20;

/// Default [`ServeOptions::max_upload_bytes`]: largest spreadsheet or population file the
/// Importar and Informe pages accept (a month of Monitoreo 360 is well under 1 MB).
pub const MAX_UPLOAD_BYTES: usize = 20 << 20;

/// Default port of `codifica serve`.
pub const DEFAULT_PORT: u16 = 8360;

/// Where to listen, and the map files for the Tablero.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub host: IpAddr,
    /// 0 picks a free port (tests).
    pub port: u16,
    /// Department boundaries GeoJSON (as `codifica report --boundaries`).
    pub boundaries: Option<PathBuf>,
    /// Municipality gazetteer CSV (as `codifica report --gazetteer`).
    pub gazetteer: Option<PathBuf>,
    /// A connection that has not sent a whole request head within this is closed.
    pub header_timeout: Duration,
    /// A request whose body has not fully arrived within this (after its head) gets a 408.
    pub body_timeout: Duration,
    /// Connections served at once; more wait until one closes.
    pub max_connections: usize,
    /// Largest uploaded file (the request carrying it); a larger one gets a 413 that says so.
    pub max_upload_bytes: usize,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            host: IpAddr::from([127, 0, 0, 1]),
            port: DEFAULT_PORT,
            boundaries: None,
            gazetteer: None,
            header_timeout: HEADER_READ_TIMEOUT,
            body_timeout: BODY_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            max_upload_bytes: MAX_UPLOAD_BYTES,
        }
    }
}

/// Stops a running server from another thread.
#[derive(Debug, Clone, Default)]
pub struct StopHandle(Arc<AtomicBool>);

impl StopHandle {
    /// Asks the server to stop (it finishes the requests in flight, for at most a few seconds).
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A bound, not yet running server.
pub struct Server {
    app: Arc<App>,
    listener: TcpListener,
    addr: SocketAddr,
    stop: StopHandle,
    header_timeout: Duration,
    body_timeout: Duration,
    max_connections: usize,
    max_upload_bytes: usize,
}

impl Server {
    /// Opens the workspace's store and binds the address. Beyond loopback an access token is
    /// required on every request.
    pub fn bind(ws: Workspace, opts: &ServeOptions) -> Result<Server> {
        let require_token = !opts.host.is_loopback();
        let map = MapInput::load(opts.boundaries.as_deref(), opts.gazetteer.as_deref())?;
        let app = Arc::new(App::new(ws, require_token, map)?);
        let wanted = SocketAddr::new(opts.host, opts.port);
        let listener = TcpListener::bind(wanted)
            .map_err(|e| Error::internal(format!("cannot listen on {wanted}: {e}")))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::internal(format!("cannot listen on {wanted}: {e}")))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::internal(format!("cannot listen on {wanted}: {e}")))?;
        Ok(Server {
            app,
            listener,
            addr,
            stop: StopHandle::default(),
            header_timeout: opts.header_timeout,
            body_timeout: opts.body_timeout,
            max_connections: opts.max_connections.max(1),
            max_upload_bytes: opts.max_upload_bytes,
        })
    }

    /// The address actually bound (the real port when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// True when requests must carry the access token.
    pub fn requires_token(&self) -> bool {
        self.app.require_token
    }

    /// The access token (only asked for when [`Server::requires_token`]).
    pub fn access_token(&self) -> &str {
        self.app.secrets.access_token()
    }

    /// The address to open in a browser (with the token when one is required). Listening on
    /// every interface (`0.0.0.0`, `::`) is not an address a browser can open: the URL then
    /// names this machine's address on its network, as colleagues would type it.
    pub fn url(&self) -> String {
        let addr = browsable(self.addr);
        if self.app.require_token {
            format!("http://{addr}/?token={}", self.access_token())
        } else {
            format!("http://{addr}/")
        }
    }

    /// A handle that stops the server once it runs.
    pub fn stop_handle(&self) -> StopHandle {
        self.stop.clone()
    }

    /// Serves until stopped (and, when `ctrl_c`, until Ctrl-C), blocking the calling thread.
    pub fn run(self, ctrl_c: bool) -> Result<()> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::internal(format!("cannot start the web server: {e}")))?;
        rt.block_on(self.serve(ctrl_c))
    }

    async fn serve(self, ctrl_c: bool) -> Result<()> {
        let listener = tokio::net::TcpListener::from_std(self.listener)
            .map_err(|e| Error::internal(format!("cannot listen on {}: {e}", self.addr)))?;
        let limits = BodyLimits {
            timeout: self.body_timeout,
            upload: self.max_upload_bytes,
        };
        let router = router(self.app.clone(), self.addr, limits);
        let graceful = GracefulShutdown::new();
        let stop = wait_for_stop(self.stop.clone(), ctrl_c);
        tokio::pin!(stop);
        let slots = Arc::new(tokio::sync::Semaphore::new(self.max_connections));
        loop {
            // A free slot first, then accept: past the cap, clients wait in the listen queue.
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => match slot {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
                () = &mut stop => break,
            };
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let conn = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(self.header_timeout)
                            .serve_connection(
                                TokioIo::new(stream),
                                TowerToHyperService::new(router.clone()),
                            );
                        let conn = graceful.watch(conn);
                        tokio::spawn(async move {
                            // A client that goes away mid-request is its own problem.
                            let _ = conn.await;
                            drop(slot);
                        });
                    }
                    // Out of file descriptors and the like: wait, keep serving the others.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
                () = &mut stop => break,
            }
        }
        // Requests in flight get a few seconds to finish.
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(Duration::from_secs(3)) => {}
        }
        Ok(())
    }
}

/// `addr`, or for an unspecified address this machine's address on the default route's
/// interface (loopback when there is no network).
fn browsable(addr: SocketAddr) -> SocketAddr {
    if !addr.ip().is_unspecified() {
        return addr;
    }
    let ip = outbound_ip(addr.is_ipv6()).unwrap_or(if addr.is_ipv6() {
        IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
    } else {
        IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
    });
    SocketAddr::new(ip, addr.port())
}

/// The local address the system would send from to a documentation address (TEST-NET-1 /
/// 2001:db8::): connecting a UDP socket only picks the route, nothing is sent.
fn outbound_ip(v6: bool) -> Option<IpAddr> {
    let (bind, probe) = if v6 {
        ("[::]:0", "[2001:db8::1]:9")
    } else {
        ("0.0.0.0:0", "192.0.2.1:9")
    };
    let socket = std::net::UdpSocket::bind(bind).ok()?;
    socket.connect(probe).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

async fn wait_for_stop(stop: StopHandle, ctrl_c: bool) {
    loop {
        if stop.is_stopped() {
            return;
        }
        if ctrl_c {
            tokio::select! {
                r = tokio::signal::ctrl_c() => {
                    if r.is_ok() {
                        stop.stop();
                        return;
                    }
                }
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn router(app: Arc<App>, bound: SocketAddr, limits: BodyLimits) -> Router {
    Router::new()
        .route("/", get(pages::inicio))
        .route("/buscar", get(pages::buscar))
        .route("/codificar", get(pages::codificar))
        .route("/respuesta", get(pages::respuesta))
        .route("/guardar", post(pages::guardar))
        .route("/tablero", get(pages::tablero))
        .route("/reporte", get(pages::reporte))
        .route("/entidad", get(pages::entidad))
        .route("/temas", get(pages::temas))
        .route("/temas/adoptar", post(pages::adoptar))
        // Importar, Informe y muestra (webimport): uploads, dry run, import, downloads.
        .route("/importar", get(pages::importar))
        .route("/importar/subir", post(pages::subir))
        .route("/importar/probar", post(pages::probar))
        .route("/importar/escribir", post(pages::escribir))
        .route("/informe", get(pages::informe))
        .route("/informe/descargar", post(pages::descargar))
        .route("/informe/muestra", post(pages::muestra))
        // webteam: Revisar (the queue's page of suggestions accepted at once), Libro de códigos,
        // Codificar en equipo.
        .route("/aceptar", post(pages::aceptar))
        .route("/libro", get(pages::libro))
        .route("/libro/editar", post(pages::editar))
        .route("/equipo", get(pages::equipo))
        .route("/equipo/nombre", post(pages::nombre))
        .route("/equipo/muestra", post(pages::equipo_muestra))
        .route("/equipo/codificar", post(pages::codificar_muestra))
        // appjobs: Entrenar y clasificar (background jobs)
        .route("/entrenar", get(pages::entrenar))
        .route("/entrenar/iniciar", post(pages::iniciar))
        .route("/entrenar/cancelar", post(pages::cancelar))
        .fallback(pages::no_encontrada)
        .layer(axum::Extension(pages::UploadLimit(limits.upload)))
        .layer(middleware::from_fn_with_state((app.clone(), bound), guard))
        .layer(middleware::from_fn_with_state(limits, read_body))
        .with_state(app)
}

/// True when `host` (a Host header) names this loopback server: the usual loopback names, or
/// the very address it is bound to (`serve --host 127.0.0.2` prints that one).
fn loopback_host_ok(host: &str, bound: SocketAddr) -> bool {
    let port = bound.port();
    let allowed = [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        bound.to_string(),
    ];
    allowed.iter().any(|a| a.eq_ignore_ascii_case(host))
}

/// Why a request is refused before it reaches a page (the Host and origin checks).
fn host_or_origin_refusal(req: &Request, app: &App, bound: SocketAddr) -> Option<Response> {
    let hosts: Vec<&str> = req
        .headers()
        .get_all(header::HOST)
        .iter()
        .map(|h| h.to_str().unwrap_or(""))
        .collect();
    if hosts.len() > 1 {
        return Some(pages::status_page(
            StatusCode::BAD_REQUEST,
            "Solicitud no válida",
            "La solicitud trae más de un encabezado Host.",
        ));
    }
    if !app.require_token && !loopback_host_ok(hosts.first().copied().unwrap_or(""), bound) {
        return Some(pages::status_page(
            StatusCode::MISDIRECTED_REQUEST,
            "Dirección no válida",
            &format!("Este servidor solo atiende en {bound}, 127.0.0.1 o localhost."),
        ));
    }
    if from_another_site(req) {
        return Some(pages::status_page(
            StatusCode::FORBIDDEN,
            "Solicitud de otro sitio",
            "codifica no atiende solicitudes que otra página web hace en segundo plano. Abra la \
             dirección directamente en el navegador.",
        ));
    }
    None
}

/// True when a browser says another site started this request and it is not the user opening a
/// page: an `<img>`, a script's fetch, a form post or a frame of another page. Such a request
/// is refused on every route: a page elsewhere must not be able to run searches (each costs
/// CPU and memory) or touch data with the analyst's session. Links from elsewhere opened as a
/// page (top-level GET navigations) and requests without `Sec-Fetch-Site` (older browsers,
/// curl) are served; `same-site` counts as another site, as another port on localhost is
/// another program.
fn from_another_site(req: &Request) -> bool {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let site = header("sec-fetch-site");
    if !matches!(site.as_str(), "cross-site" | "same-site") {
        return false;
    }
    let page_opened = req.method() == Method::GET
        && header("sec-fetch-mode") == "navigate"
        && header("sec-fetch-dest") == "document";
    !page_opened
}

fn query_param(req: &Request, name: &str) -> Option<String> {
    let q = req.uri().query()?;
    q.split('&').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

fn cookie_value(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| security::cookie(h, name).map(str::to_string))
}

/// The path and query without the `token` parameter (where to go after a token visit).
fn without_token(req: &Request) -> String {
    let path = req.uri().path();
    let rest: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("token="))
        .collect();
    if rest.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", rest.join("&"))
    }
}

/// How much of a request body is read, and for how long.
#[derive(Debug, Clone, Copy)]
struct BodyLimits {
    timeout: Duration,
    /// Limit of the upload routes ([`pages::is_upload`]); other routes get `MAX_BODY_BYTES`.
    upload: usize,
}

/// Why a body was not read whole.
enum BodyFailure {
    TooLarge,
    Broken,
}

/// Reads `body` up to `limit` bytes. Past the limit the rest is read and dropped (up to four
/// times the limit), so that the refusal reaches a browser still sending instead of a reset
/// connection.
async fn collect(
    mut body: Body,
    limit: usize,
) -> std::result::Result<axum::body::Bytes, BodyFailure> {
    use axum::body::HttpBody;
    let mut kept = Vec::new();
    let mut seen = 0usize;
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        let Some(frame) = frame else { break };
        let Ok(data) = frame.map_err(|_| BodyFailure::Broken)?.into_data() else {
            continue;
        };
        seen += data.len();
        if seen <= limit {
            kept.extend_from_slice(&data);
        } else if seen > limit.saturating_mul(4) {
            break;
        }
    }
    if seen > limit {
        return Err(BodyFailure::TooLarge);
    }
    Ok(kept.into())
}

/// Reads the whole request body within the timeout before anything else runs: a body that
/// stalls gets a 408 and its connection is closed, one too large a 413 (an upload's says the
/// limit). The pages then read the buffered copy.
async fn read_body(State(limits): State<BodyLimits>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let refused = |status: StatusCode, title: &str, message: &str| {
        let mut resp = pages::status_page(status, title, message);
        security_headers(&mut resp, &security::random_token());
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        resp
    };
    let upload = pages::is_upload(parts.uri.path());
    let limit = if upload {
        limits.upload
    } else {
        MAX_BODY_BYTES
    };
    match tokio::time::timeout(limits.timeout, collect(body, limit)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(BodyFailure::TooLarge)) if upload => refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Archivo demasiado grande",
            &pages::too_large_message(limit),
        ),
        Ok(Err(_)) => refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Solicitud demasiado grande",
            "El formulario enviado es demasiado grande o llegó incompleto.",
        ),
        Err(_) => refused(
            StatusCode::REQUEST_TIMEOUT,
            "Solicitud incompleta",
            "El formulario no terminó de llegar a tiempo. Vuelva a enviarlo.",
        ),
    }
}

/// Every response gets the security headers, refusals included.
async fn guard(
    State((app, bound)): State<(Arc<App>, SocketAddr)>,
    req: Request,
    next: Next,
) -> Response {
    let nonce = security::random_token();
    let mut resp = match host_or_origin_refusal(&req, &app, bound) {
        Some(refused) => refused,
        None => admit(&app, req, next, &nonce).await,
    };
    security_headers(&mut resp, &nonce);
    resp
}

/// The access token and session checks, then the page.
async fn admit(app: &App, mut req: Request, next: Next, nonce: &str) -> Response {
    if app.require_token {
        if let Some(t) = query_param(&req, "token") {
            if app.secrets.token_ok(&t) {
                let mut resp = pages::see_other(&without_token(&req));
                set_cookie(&mut resp, TOKEN_COOKIE, &t);
                return resp;
            }
            return pages::status_page(
                StatusCode::UNAUTHORIZED,
                "Acceso restringido",
                "El código de acceso no es válido. Use la dirección completa que mostró «codifica serve».",
            );
        }
        let ok = cookie_value(&req, TOKEN_COOKIE).is_some_and(|t| app.secrets.token_ok(&t));
        if !ok {
            return pages::status_page(
                StatusCode::UNAUTHORIZED,
                "Acceso restringido",
                "Abra la dirección completa que mostró «codifica serve» (con ?token=…) para entrar.",
            );
        }
    }
    let existing = cookie_value(&req, SESSION_COOKIE).filter(|s| security::valid_sid(s));
    let is_new = existing.is_none();
    let sid = existing.unwrap_or_else(security::random_token);
    let session = Session {
        csrf: app.secrets.csrf_for(&sid),
        sid: sid.clone(),
        nonce: nonce.to_string(),
    };
    let is_post = req.method() == Method::POST;
    req.extensions_mut().insert(session);
    let mut resp = next.run(req).await;
    if is_new && !is_post {
        set_cookie(&mut resp, SESSION_COOKIE, &sid);
    }
    resp
}

fn set_cookie(resp: &mut Response, name: &str, value: &str) {
    let c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&c) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn security_headers(resp: &mut Response, nonce: &str) {
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-{nonce}'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        let bound: SocketAddr = "127.0.0.1:8360".parse().unwrap();
        assert!(loopback_host_ok("127.0.0.1:8360", bound));
        assert!(loopback_host_ok("localhost:8360", bound));
        assert!(loopback_host_ok("[::1]:8360", bound));
        assert!(!loopback_host_ok("evil.example:8360", bound));
        assert!(!loopback_host_ok("127.0.0.2:8360", bound));
        let other: SocketAddr = "127.0.0.2:8360".parse().unwrap();
        assert!(loopback_host_ok("127.0.0.2:8360", other));
    }
}
