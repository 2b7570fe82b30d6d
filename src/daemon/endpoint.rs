//! Where the Docker daemon is, found the way the docker CLI finds it.
//!
//! Order: `--host`, then `DOCKER_HOST`, then the context named by `DOCKER_CONTEXT` or by
//! `currentContext` in `$DOCKER_CONFIG/config.json` (`~/.docker`), then the local Docker socket,
//! then a Podman socket when no Docker socket exists. Resolution is a pure function of
//! [`EnvVars`] so it can be tested without touching the process environment.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::DaemonError;

/// The Docker socket used when nothing else is configured.
pub const DEFAULT_SOCKET: &str = "unix:///var/run/docker.sock";

/// A resolved daemon address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///path`, `tcp://host:port`, `http://...` or `https://...`.
    pub host: String,
    /// Client certificates for TLS (`key.pem`, `cert.pem`, `ca.pem` in this folder).
    pub tls: Option<PathBuf>,
    /// Where the address came from, for messages.
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    DockerHost,
    Context(String),
    DefaultSocket,
    Podman,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Source::Context(name) => write!(f, "{} (context {name})", self.host),
            _ => f.write_str(&self.host),
        }
    }
}

/// The environment that decides the endpoint.
#[derive(Debug, Clone, Default)]
pub struct EnvVars {
    /// `--host` from the command line.
    pub host_flag: Option<String>,
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    /// `DOCKER_CONFIG`, else `$HOME/.docker`.
    pub docker_config: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub tls_verify: bool,
    pub cert_path: Option<PathBuf>,
    pub xdg_runtime_dir: Option<PathBuf>,
}

fn non_empty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl EnvVars {
    /// Read the process environment; `host_flag` is the `--host` option.
    pub fn from_process(host_flag: Option<String>) -> EnvVars {
        EnvVars {
            host_flag: host_flag.filter(|h| !h.is_empty()),
            docker_host: non_empty("DOCKER_HOST"),
            docker_context: non_empty("DOCKER_CONTEXT"),
            docker_config: non_empty("DOCKER_CONFIG").map(PathBuf::from),
            home: non_empty("HOME").map(PathBuf::from),
            // The docker CLI treats any non-empty value (even "0") as "on".
            tls_verify: non_empty("DOCKER_TLS_VERIFY").is_some()
                || non_empty("DOCKER_TLS").is_some(),
            cert_path: non_empty("DOCKER_CERT_PATH").map(PathBuf::from),
            xdg_runtime_dir: non_empty("XDG_RUNTIME_DIR").map(PathBuf::from),
        }
    }

    fn config_dir(&self) -> Option<PathBuf> {
        self.docker_config
            .clone()
            .or_else(|| self.home.as_ref().map(|h| h.join(".docker")))
    }

    fn tls_dir(&self, host: &str) -> Option<PathBuf> {
        let wants_tls =
            host.starts_with("https://") || (self.tls_verify && host.starts_with("tcp://"));
        wants_tls.then(|| {
            self.cert_path
                .clone()
                .or_else(|| self.config_dir())
                .unwrap_or_default()
        })
    }
}

/// Resolve the endpoint. `exists` tells whether a socket path exists (injected for tests).
pub fn resolve(env: &EnvVars, exists: impl Fn(&Path) -> bool) -> Result<Endpoint, DaemonError> {
    if let Some(host) = &env.host_flag {
        return explicit(env, host, Source::Flag);
    }
    if let Some(host) = &env.docker_host {
        return explicit(env, host, Source::DockerHost);
    }
    if let Some(name) = context_name(env)? {
        if name != "default" {
            return from_context(env, &name);
        }
    }
    if exists(Path::new(socket_path(DEFAULT_SOCKET))) {
        return Ok(Endpoint {
            host: DEFAULT_SOCKET.to_string(),
            tls: None,
            source: Source::DefaultSocket,
        });
    }
    let podman = [
        env.xdg_runtime_dir
            .as_ref()
            .map(|d| d.join("podman/podman.sock")),
        Some(PathBuf::from("/run/podman/podman.sock")),
    ];
    for sock in podman.into_iter().flatten() {
        if exists(&sock) {
            return Ok(Endpoint {
                host: format!("unix://{}", sock.display()),
                tls: None,
                source: Source::Podman,
            });
        }
    }
    // Nothing found: name the Docker socket so the connection error says what was tried.
    Ok(Endpoint {
        host: DEFAULT_SOCKET.to_string(),
        tls: None,
        source: Source::DefaultSocket,
    })
}

/// The path part of a `unix://` host.
pub fn socket_path(host: &str) -> &str {
    host.strip_prefix("unix://").unwrap_or(host)
}

fn explicit(env: &EnvVars, host: &str, source: Source) -> Result<Endpoint, DaemonError> {
    check_scheme(host)?;
    Ok(Endpoint {
        host: host.to_string(),
        tls: env.tls_dir(host),
        source,
    })
}

fn check_scheme(host: &str) -> Result<(), DaemonError> {
    if host.starts_with("ssh://") {
        return super::ssh::SshTarget::parse(host)
            .map(|_| ())
            .map_err(|detail| DaemonError::BadSshHost {
                host: host.to_string(),
                detail,
            });
    }
    const SCHEMES: [&str; 4] = ["unix://", "tcp://", "http://", "https://"];
    if SCHEMES
        .iter()
        .any(|s| host.starts_with(s) && host.len() > s.len())
    {
        Ok(())
    } else {
        Err(DaemonError::BadHost {
            host: host.to_string(),
        })
    }
}

/// `DOCKER_CONTEXT`, else `currentContext` of `config.json`; `None` when neither is set.
fn context_name(env: &EnvVars) -> Result<Option<String>, DaemonError> {
    if let Some(name) = &env.docker_context {
        return Ok(Some(name.clone()));
    }
    let Some(dir) = env.config_dir() else {
        return Ok(None);
    };
    let file = dir.join("config.json");
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(DaemonError::Config(format!("{}: {e}", file.display()))),
    };
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| DaemonError::Config(format!("{}: invalid JSON: {e}", file.display())))?;
    Ok(value
        .get("currentContext")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string))
}

/// Read `contexts/meta/<sha256 of name>/meta.json` -> `Endpoints.docker.Host`.
fn from_context(env: &EnvVars, name: &str) -> Result<Endpoint, DaemonError> {
    let context_err = |detail: String| DaemonError::Context {
        name: name.to_string(),
        detail,
    };
    let dir = env.config_dir().ok_or_else(|| {
        context_err("no docker config folder (HOME and DOCKER_CONFIG unset)".into())
    })?;
    let id = hex::encode(Sha256::digest(name.as_bytes()));
    let meta = dir.join("contexts/meta").join(&id).join("meta.json");
    let text = std::fs::read_to_string(&meta).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            context_err(format!("no such context (no {})", meta.display()))
        }
        _ => context_err(format!("{}: {e}", meta.display())),
    })?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| context_err(format!("{}: invalid JSON: {e}", meta.display())))?;
    let docker = value.pointer("/Endpoints/docker");
    let host = docker
        .and_then(|d| d.get("Host"))
        .and_then(|h| h.as_str())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| context_err(format!("{} names no Endpoints.docker.Host", meta.display())))?;
    check_scheme(host)?;
    let tls_dir = dir.join("contexts/tls").join(&id).join("docker");
    let tls = if tls_dir.join("cert.pem").exists() || host.starts_with("https://") {
        Some(tls_dir)
    } else {
        None
    };
    Ok(Endpoint {
        host: host.to_string(),
        tls,
        source: Source::Context(name.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with_config(dir: &Path) -> EnvVars {
        EnvVars {
            docker_config: Some(dir.to_path_buf()),
            ..Default::default()
        }
    }

    fn write_context(dir: &Path, name: &str, host: &str) {
        let id = hex::encode(Sha256::digest(name.as_bytes()));
        let meta = dir.join("contexts/meta").join(id);
        std::fs::create_dir_all(&meta).unwrap();
        let json = serde_json::json!({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}});
        std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
    }

    #[test]
    fn ssh_hosts_from_docker_host_and_contexts() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "remote", "ssh://me@build-box:2222");
        let mut env = env_with_config(dir.path());
        env.docker_context = Some("remote".into());
        let ep = resolve(&env, |_| true).unwrap();
        assert_eq!(ep.host, "ssh://me@build-box:2222");
        assert_eq!(ep.tls, None);
        assert_eq!(ep.source, Source::Context("remote".into()));
        env.docker_host = Some("ssh://box".into());
        env.tls_verify = true;
        let ep = resolve(&env, |_| true).unwrap();
        assert_eq!((ep.host.as_str(), ep.tls), ("ssh://box", None));
        env.docker_host = Some("ssh://me:secret@box".into());
        let err = resolve(&env, |_| true).unwrap_err().to_string();
        assert_eq!(
            err,
            "bad ssh daemon address \"ssh://me:secret@box\": a password in the address is not supported"
        );
    }

    #[test]
    fn flag_beats_docker_host_beats_context() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "remote", "tcp://10.0.0.1:2375");
        let mut env = env_with_config(dir.path());
        env.docker_context = Some("remote".into());
        env.docker_host = Some("unix:///tmp/d.sock".into());
        env.host_flag = Some("tcp://h:1".into());
        assert_eq!(resolve(&env, |_| true).unwrap().source, Source::Flag);
        env.host_flag = None;
        assert_eq!(resolve(&env, |_| true).unwrap().host, "unix:///tmp/d.sock");
        env.docker_host = None;
        let ep = resolve(&env, |_| true).unwrap();
        assert_eq!(ep.host, "tcp://10.0.0.1:2375");
        assert_eq!(ep.source, Source::Context("remote".into()));
    }

    #[test]
    fn current_context_from_config_json_and_default_means_socket() {
        let dir = tempfile::tempdir().unwrap();
        write_context(dir.path(), "ci", "unix:///run/ci.sock");
        std::fs::write(dir.path().join("config.json"), r#"{"currentContext":"ci"}"#).unwrap();
        let env = env_with_config(dir.path());
        assert_eq!(resolve(&env, |_| true).unwrap().host, "unix:///run/ci.sock");
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"currentContext":"default"}"#,
        )
        .unwrap();
        assert_eq!(resolve(&env, |_| true).unwrap().host, DEFAULT_SOCKET);
    }

    #[test]
    fn unknown_context_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut env = env_with_config(dir.path());
        env.docker_context = Some("nope".into());
        let err = resolve(&env, |_| true).unwrap_err().to_string();
        assert!(
            err.contains("nope") && err.contains("no such context"),
            "{err}"
        );
    }

    #[test]
    fn tls_follows_docker_tls_verify_and_cert_path() {
        let mut env = EnvVars {
            docker_host: Some("tcp://h:2376".into()),
            tls_verify: true,
            cert_path: Some("/certs".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve(&env, |_| true).unwrap().tls,
            Some(PathBuf::from("/certs"))
        );
        env.tls_verify = false;
        assert_eq!(resolve(&env, |_| true).unwrap().tls, None);
    }

    #[test]
    fn podman_socket_when_no_docker_socket() {
        let env = EnvVars {
            xdg_runtime_dir: Some("/run/user/1000".into()),
            ..Default::default()
        };
        let ep = resolve(&env, |p| {
            p == Path::new("/run/user/1000/podman/podman.sock")
        })
        .unwrap();
        assert_eq!(ep.host, "unix:///run/user/1000/podman/podman.sock");
        assert_eq!(ep.source, Source::Podman);
        let ep = resolve(&env, |_| false).unwrap();
        assert_eq!(ep.host, DEFAULT_SOCKET);
    }

    #[test]
    fn bad_scheme_is_rejected() {
        let env = EnvVars {
            docker_host: Some("ftp://x".into()),
            ..Default::default()
        };
        assert!(
            resolve(&env, |_| true)
                .unwrap_err()
                .to_string()
                .contains("ftp://x")
        );
    }
}
