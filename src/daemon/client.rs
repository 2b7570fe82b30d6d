//! Two clients to one daemon: one for metadata calls with a short timeout, one for transfers
//! with none (the daemon answers `POST /images/load` only after reading the whole upload).

use std::sync::Arc;
use std::time::Duration;

use bollard::{ClientVersion, Docker};

use super::DaemonError;
use super::endpoint::{Endpoint, EnvVars, resolve, socket_path};
use super::engine::{Engine, EngineKind, is_podman};

/// Bound on metadata calls (list, inspect, history, info, tag, remove).
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(60);
/// Bound on the first contact (version negotiation), so an unroutable host fails quickly.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connected daemon. Cheap to clone (the clients share their connection pools).
#[derive(Clone, Debug)]
pub struct Daemon {
    pub endpoint: Endpoint,
    meta: Docker,
    transfer: Docker,
    engine: Arc<Engine>,
}

impl Daemon {
    /// Resolve the endpoint from the process environment (and `--host`), then connect.
    pub async fn connect_default(host_flag: Option<String>) -> Result<Daemon, DaemonError> {
        let endpoint = resolve(&EnvVars::from_process(host_flag), |p| p.exists())?;
        Daemon::connect(endpoint).await
    }

    /// Connect and negotiate the API version (bollard's default is newer than most engines),
    /// then describe the engine.
    pub async fn connect(endpoint: Endpoint) -> Result<Daemon, DaemonError> {
        Connection::open(endpoint).await?.describe().await
    }

    /// What the engine is and takes, as described at connect.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The client for metadata calls (short timeout).
    pub fn meta(&self) -> &Docker {
        &self.meta
    }

    /// The client for loads and saves (no timeout).
    pub fn transfer(&self) -> &Docker {
        &self.transfer
    }

    /// The negotiated API version, e.g. "1.41".
    pub fn api_version(&self) -> String {
        let v = self.meta.client_version();
        format!("{}.{}", v.major_version, v.minor_version)
    }

    /// Turn a bollard error from this daemon into a one-line error.
    pub fn error(&self, what: impl Into<String>, err: bollard::errors::Error) -> DaemonError {
        api_error(&self.endpoint, what.into(), err)
    }
}

/// A daemon whose API version is agreed but whose engine is not described yet (no `/info`).
/// Enough for listing images: `haul images` makes two calls, as `docker images` does.
#[derive(Clone, Debug)]
pub struct Connection {
    pub endpoint: Endpoint,
    meta: Docker,
    /// The engine's `/version` answer: it agreed the API version and describes the engine.
    version: bollard::models::SystemVersion,
}

impl Connection {
    /// Resolve the endpoint from the process environment (and `--host`), then open it.
    pub async fn open_default(host_flag: Option<String>) -> Result<Connection, DaemonError> {
        let endpoint = resolve(&EnvVars::from_process(host_flag), |p| p.exists())?;
        Connection::open(endpoint).await
    }

    /// Connect and agree the API version (bollard's default is newer than most engines) with one
    /// `/version` call, whose answer later also describes the engine (Podman's takes a while).
    pub async fn open(endpoint: Endpoint) -> Result<Connection, DaemonError> {
        let unreachable = |detail: String| DaemonError::Unreachable {
            endpoint: endpoint.to_string(),
            detail,
        };
        let secs = METADATA_TIMEOUT.as_secs();
        let base = build(&endpoint, secs, bollard::API_DEFAULT_VERSION)
            .map_err(|e| unreachable(describe(&e)))?;
        let version = match tokio::time::timeout(CONNECT_TIMEOUT, base.version()).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => return Err(unreachable(describe(&e))),
            Err(_) => {
                return Err(unreachable(format!(
                    "no answer within {}s",
                    CONNECT_TIMEOUT.as_secs()
                )));
            }
        };
        let server = version
            .api_version
            .as_deref()
            .and_then(parse_api_version)
            .ok_or_else(|| unreachable("the engine names no API version".into()))?;
        let agreed = if server < *bollard::API_DEFAULT_VERSION {
            server
        } else {
            *bollard::API_DEFAULT_VERSION
        };
        let meta = build(&endpoint, secs, &agreed).map_err(|e| unreachable(describe(&e)))?;
        Ok(Connection {
            endpoint,
            meta,
            version,
        })
    }

    /// True when the engine's image store is unknown until [`Self::describe`] (Docker 25+).
    pub fn store_unknown(&self) -> bool {
        super::engine::store_needs_info(&self.version)
    }

    /// Describe the engine (the `/version` answer, and `/info` for Docker): the connected [`Daemon`].
    pub async fn describe(self) -> Result<Daemon, DaemonError> {
        let version = self.meta.client_version();
        // Duration::MAX: bollard keeps whole seconds and tokio treats an unreachable deadline as none.
        let transfer = build(&self.endpoint, Duration::MAX.as_secs(), &version).map_err(|e| {
            DaemonError::Unreachable {
                endpoint: self.endpoint.to_string(),
                detail: describe(&e),
            }
        })?;
        let engine = describe_engine(&self.endpoint, &self.meta, &self.version).await?;
        Ok(Daemon {
            endpoint: self.endpoint,
            meta: self.meta,
            transfer,
            engine: Arc::new(engine),
        })
    }
}

/// Metadata calls on a daemon, described or not: what listing and inspecting need.
pub trait Api: Sync {
    /// The client for metadata calls (short timeout).
    fn client(&self) -> &Docker;
    /// Turn a bollard error from this daemon into a one-line error.
    fn fail(&self, what: String, err: bollard::errors::Error) -> DaemonError;
    /// The agreed API version, e.g. "1.41".
    fn api_version(&self) -> String {
        let v = self.client().client_version();
        format!("{}.{}", v.major_version, v.minor_version)
    }
    /// What the engine is, when it has been described.
    fn kind(&self) -> Option<EngineKind>;
}

impl Api for Daemon {
    fn client(&self) -> &Docker {
        &self.meta
    }
    fn fail(&self, what: String, err: bollard::errors::Error) -> DaemonError {
        api_error(&self.endpoint, what, err)
    }
    fn kind(&self) -> Option<EngineKind> {
        Some(self.engine.kind)
    }
}

impl Api for Connection {
    fn client(&self) -> &Docker {
        &self.meta
    }
    fn fail(&self, what: String, err: bollard::errors::Error) -> DaemonError {
        api_error(&self.endpoint, what, err)
    }
    fn kind(&self) -> Option<EngineKind> {
        None
    }
}

/// `1.45` -> 1.45.
fn parse_api_version(text: &str) -> Option<ClientVersion> {
    let (major, minor) = text.trim().split_once('.')?;
    Some(ClientVersion {
        major_version: major.parse().ok()?,
        minor_version: minor.parse().ok()?,
    })
}

/// From `/version`, and for Docker `/info` (the image store); Podman's slow `/info` is not needed.
async fn describe_engine(
    endpoint: &Endpoint,
    meta: &Docker,
    version: &bollard::models::SystemVersion,
) -> Result<Engine, DaemonError> {
    let info = if is_podman(version) {
        None
    } else {
        Some(
            meta.info()
                .await
                .map_err(|e| api_error(endpoint, "docker info".into(), e))?,
        )
    };
    Ok(Engine::describe(version, info.as_ref()))
}

pub(crate) fn api_error(
    endpoint: &Endpoint,
    what: String,
    err: bollard::errors::Error,
) -> DaemonError {
    use bollard::errors::Error as E;
    match err {
        E::DockerResponseServerError {
            status_code: 404,
            message,
        } => DaemonError::NotFound(dedupe(message.trim())),
        E::DockerResponseServerError { message, .. } => DaemonError::Api {
            what,
            detail: message.trim().to_string(),
        },
        E::DockerStreamError { error } => DaemonError::Api {
            what,
            detail: error.trim().to_string(),
        },
        E::RequestTimeoutError => DaemonError::Api {
            what,
            detail: format!("no answer from {endpoint} in time"),
        },
        other => {
            let detail = describe(&other);
            if is_connection_error(&other) {
                DaemonError::Unreachable {
                    endpoint: endpoint.to_string(),
                    detail,
                }
            } else {
                DaemonError::Api { what, detail }
            }
        }
    }
}

/// Docker repeats itself: "no such image: x: No such image: x:latest" -> "No such image: x:latest".
/// The second statement (the daemon's own words) starts like the first: keep only it.
fn dedupe(message: &str) -> String {
    let lower = message.to_ascii_lowercase();
    let lead: String = lower.chars().take(12).collect();
    if lead.len() >= 6
        && let Some(at) = lower[1..].find(&format!(": {lead}"))
    {
        return message[at + 3..].to_string();
    }
    message.to_string()
}

fn is_connection_error(err: &bollard::errors::Error) -> bool {
    use bollard::errors::Error as E;
    matches!(
        err,
        E::HyperLegacyError { .. } | E::IOError { .. } | E::SocketNotFoundError(_)
    )
}

/// One line for an error, including its causes (hyper hides the useful part in `source()`).
pub(crate) fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    // hyper wraps the useful part ("Connection refused") in generic layers.
    for noise in [
        "Error in the hyper legacy client: ",
        "client error (Connect): ",
        "client error (SendRequest): connection error: ",
    ] {
        text = text.replace(noise, "");
    }
    text.replace('\n', " ")
}

fn build(
    endpoint: &Endpoint,
    timeout: u64,
    version: &ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    let host = endpoint.host.as_str();
    if host.starts_with("unix://") {
        return Docker::connect_with_unix(socket_path(host), timeout, version);
    }
    if host.starts_with("ssh://") {
        return super::ssh::connect(host, timeout, version);
    }
    if let Some(dir) = &endpoint.tls {
        return Docker::connect_with_ssl(
            host,
            &dir.join("key.pem"),
            &dir.join("cert.pem"),
            &dir.join("ca.pem"),
            timeout,
            version,
        );
    }
    Docker::connect_with_http(host, timeout, version)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dedupes_docker_messages() {
        assert_eq!(
            super::dedupe("no such image: a:1: No such image: a:1"),
            "No such image: a:1"
        );
        assert_eq!(
            super::dedupe("no such image: nope: No such image: nope:latest"),
            "No such image: nope:latest"
        );
        assert_eq!(
            super::dedupe("conflict: unable to remove repository reference"),
            "conflict: unable to remove repository reference"
        );
        assert_eq!(super::dedupe("a: b"), "a: b");
    }
}
