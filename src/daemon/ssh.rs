//! `ssh://[user@]host[:port]` daemons, the way the docker CLI reaches them: each HTTP connection is
//! an `ssh ... docker system dial-stdio` process whose stdin/stdout carry the Engine API.
//!
//! The system `ssh` does the work (keys, agent, `~/.ssh/config`, known hosts), with
//! `BatchMode=yes` (haul never prompts: the TUI owns the terminal) and a connect timeout. When ssh
//! fails, its own last words (stderr) become the connection error, so "Permission denied" or
//! "Connection refused" reach the user instead of "connection closed".

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bollard::{BollardRequest, ClientVersion, Docker};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;

/// Seconds ssh may take to set up the TCP connection (the docker CLI uses 30 too).
const SSH_CONNECT_TIMEOUT: u64 = 30;
/// Idle pooled connections (each an ssh process) are closed after this.
const IDLE: Duration = Duration::from_secs(30);
/// How much of ssh's stderr is kept for the error message.
const STDERR_KEEP: usize = 2048;

/// Where an `ssh://` host points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl SshTarget {
    /// Parse `ssh://[user@]host[:port]`, refusing what the docker CLI refuses (a password, a
    /// path, a query). The error says what is wrong.
    pub fn parse(url: &str) -> Result<SshTarget, String> {
        let rest = url
            .strip_prefix("ssh://")
            .ok_or_else(|| "not an ssh:// address".to_string())?;
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if !path.is_empty() && path != "/" {
            return Err(format!("extra path after the host: {path:?}"));
        }
        let (user, host_port) = match authority.rsplit_once('@') {
            Some((user, hp)) => {
                if user.contains(':') {
                    return Err("a password in the address is not supported".into());
                }
                if user.is_empty() {
                    return Err("empty user name".into());
                }
                (Some(user.to_string()), hp)
            }
            None => (None, authority),
        };
        let (host, port) = split_port(host_port)?;
        if host.is_empty() {
            return Err("no host".into());
        }
        Ok(SshTarget {
            user,
            host: host.to_string(),
            port,
        })
    }

    /// The ssh command line: `ssh -o ... [-l user] [-p port] -- host docker system dial-stdio`.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new("ssh");
        cmd.args(["-o", "BatchMode=yes"])
            .args(["-o", &format!("ConnectTimeout={SSH_CONNECT_TIMEOUT}")])
            .args(["-T", "-x"]);
        if let Some(user) = &self.user {
            cmd.args(["-l", user]);
        }
        if let Some(port) = self.port {
            cmd.args(["-p", &port.to_string()]);
        }
        cmd.arg("--")
            .arg(&self.host)
            .args(["docker", "system", "dial-stdio"]);
        cmd
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_port(text: &str) -> Result<(&str, Option<u16>), String> {
    let bad_port = |p: &str| format!("bad port {p:?}");
    if let Some(v6) = text.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| "unclosed [ in host".to_string())?;
        return match after.strip_prefix(':') {
            Some(p) => Ok((host, Some(p.parse().map_err(|_| bad_port(p))?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(format!("unexpected {after:?} after the host")),
        };
    }
    match text.rsplit_once(':') {
        Some((host, p)) => Ok((host, Some(p.parse().map_err(|_| bad_port(p))?))),
        None => Ok((text, None)),
    }
}

/// A bollard client whose connections are `ssh ... docker system dial-stdio` processes.
pub fn connect(
    url: &str,
    timeout: u64,
    version: &ClientVersion,
) -> Result<Docker, bollard::errors::Error> {
    let target = SshTarget::parse(url).map_err(|e| bollard::errors::Error::IOError {
        err: io::Error::new(io::ErrorKind::InvalidInput, format!("{url}: {e}")),
    })?;
    let client = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(IDLE)
        .build(SshConnector {
            target: Arc::new(target),
        });
    let client = Arc::new(client);
    Docker::connect_with_custom_transport(
        move |req: BollardRequest| {
            let client = Arc::clone(&client);
            async move {
                client
                    .request(req)
                    .await
                    .map_err(bollard::errors::Error::from)
            }
        },
        // The address bollard puts in request URIs; the connector knows the real target.
        Some("ssh://docker"),
        timeout,
        version,
    )
}

/// Opens one ssh process per connection.
#[derive(Clone)]
struct SshConnector {
    target: Arc<SshTarget>,
}

impl tower_service::Service<hyper::Uri> for SshConnector {
    type Response = SshConnection;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<SshConnection>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: hyper::Uri) -> Self::Future {
        let spawned = SshConnection::spawn(&self.target);
        Box::pin(async move { spawned })
    }
}

/// One `ssh ... dial-stdio` process: hyper reads its stdout and writes its stdin.
pub struct SshConnection(TokioIo<Pipe>);

impl SshConnection {
    fn spawn(target: &SshTarget) -> io::Result<SshConnection> {
        let mut child = target
            .command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot run ssh: {e}")))?;
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(io::Error::other("ssh pipes missing"));
        };
        let stderr_task = tokio::spawn(async move {
            let mut text = Vec::new();
            let mut chunk = [0u8; 512];
            while let Ok(n) = stderr.read(&mut chunk).await {
                if n == 0 {
                    break;
                }
                text.extend_from_slice(&chunk[..n]);
                if text.len() > STDERR_KEEP {
                    text.drain(..text.len() - STDERR_KEEP);
                }
            }
            String::from_utf8_lossy(&text).into_owned()
        });
        Ok(SshConnection(TokioIo::new(Pipe {
            stdin: Some(stdin),
            stdout,
            exit: Exit::Running(Some((child, stderr_task))),
        })))
    }
}

impl Connection for SshConnection {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl hyper::rt::Read for SshConnection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for SshConnection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

type ExitFuture = Pin<Box<dyn Future<Output = io::Result<()>> + Send>>;

enum Exit {
    /// The process and the task collecting its stderr (taken when stdout ends).
    Running(Option<(Child, JoinHandle<String>)>),
    /// stdout ended: waiting for the exit status to tell EOF from failure.
    Waiting(ExitFuture),
    Done,
}

/// The child's pipes as one tokio stream. At the end of stdout, a failed ssh turns into an
/// error carrying its stderr.
pub struct Pipe {
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    exit: Exit,
}

impl Pipe {
    fn poll_exit(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            match &mut self.exit {
                Exit::Running(parts) => {
                    let Some((mut child, stderr)) = parts.take() else {
                        self.exit = Exit::Done;
                        continue;
                    };
                    self.exit = Exit::Waiting(Box::pin(async move {
                        let status = child.wait().await?;
                        let said = stderr.await.unwrap_or_default();
                        check_exit(status, &said)
                    }));
                }
                Exit::Waiting(wait) => {
                    let result = ready!(wait.as_mut().poll(cx));
                    self.exit = Exit::Done;
                    return Poll::Ready(result);
                }
                Exit::Done => return Poll::Ready(Ok(())),
            }
        }
    }
}

/// Ok for a clean exit; else an error made of ssh's last stderr line.
fn check_exit(status: ExitStatus, stderr: &str) -> io::Result<()> {
    if status.success() {
        return Ok(());
    }
    let last = stderr
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or("");
    let detail = match last {
        "" => format!("ssh exited with {status}"),
        l if l.starts_with("ssh: ") => l.to_string(),
        l => format!("ssh: {l}"),
    };
    Err(io::Error::new(io::ErrorKind::ConnectionAborted, detail))
}

impl AsyncRead for Pipe {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.stdout).poll_read(cx, buf))?;
        if buf.filled().len() == before && buf.remaining() > 0 {
            // End of stdout: fine if ssh exits cleanly, an error with its words if not.
            return self.poll_exit(cx);
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Pipe {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.stdin.as_mut() {
            Some(stdin) => Pin::new(stdin).poll_write(cx, buf),
            None => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
        }
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.stdin.as_mut() {
            Some(stdin) => Pin::new(stdin).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(stdin) = self.stdin.as_mut() {
            ready!(Pin::new(stdin).poll_shutdown(cx))?;
        }
        // Closing stdin is how dial-stdio learns the write side is done.
        self.stdin = None;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_docker_cli_accepts() {
        let t = SshTarget::parse("ssh://me@example.test:2222").unwrap();
        assert_eq!(t.user.as_deref(), Some("me"));
        assert_eq!(t.host, "example.test");
        assert_eq!(t.port, Some(2222));
        let t = SshTarget::parse("ssh://example.test/").unwrap();
        assert_eq!((t.user, t.port), (None, None));
        let t = SshTarget::parse("ssh://[::1]:22").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("::1", Some(22)));
        for (bad, why) in [
            ("ssh://me:pw@h", "password"),
            ("ssh://h/var/run/docker.sock", "extra path"),
            ("ssh://h:port", "bad port"),
            ("ssh://", "no host"),
            ("ssh://@h", "empty user"),
        ] {
            let err = SshTarget::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn the_command_is_batch_mode_dial_stdio() {
        let cmd = SshTarget::parse("ssh://me@h:2222").unwrap().command();
        let args: Vec<_> = cmd
            .as_std()
            .get_args()
            .map(|a| a.to_string_lossy())
            .collect();
        assert_eq!(cmd.as_std().get_program(), "ssh");
        let line = args.join(" ");
        assert!(
            line.starts_with("-o BatchMode=yes -o ConnectTimeout=30 -T -x"),
            "{line}"
        );
        assert!(
            line.ends_with("-l me -p 2222 -- h docker system dial-stdio"),
            "{line}"
        );
    }

    #[test]
    fn a_failed_ssh_is_its_last_stderr_line() {
        use std::os::unix::process::ExitStatusExt;
        let err = check_exit(
            ExitStatus::from_raw(255 << 8),
            "Warning: x\nroot@127.0.0.1: Permission denied (publickey).\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ssh: root@127.0.0.1: Permission denied (publickey)."
        );
        assert!(check_exit(ExitStatus::from_raw(0), "noise").is_ok());
        let err = check_exit(ExitStatus::from_raw(1 << 8), "").unwrap_err();
        assert!(err.to_string().starts_with("ssh exited with"), "{err}");
    }
}
