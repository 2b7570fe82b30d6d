//! A real OpenSSH server on 127.0.0.1 for `ssh://` daemon tests: its own host key, a client key
//! made here, a throwaway `authorized_keys`, on a free high port; stopped when dropped.
//!
//! The remote side runs the system `docker` CLI (`docker system dial-stdio`), aimed at an engine
//! of the matrix with `DOCKER_HOST` (sent with ssh's `SetEnv`, accepted by this sshd only). The
//! client side is the system `ssh` through a wrapper on `PATH` that adds this server's config
//! (key, port, known host): haul runs the plain `ssh` command, as it does for users.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::engines::Engine;

pub const SSHD: &str = "/usr/sbin/sshd";

pub struct Sshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    child: Child,
}

/// A started sshd, or None (skipped with a note; a failure under `CI=true`) when OpenSSH's
/// server is not installed.
pub fn sshd(test: &str) -> Option<Sshd> {
    if !Path::new(SSHD).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: CI=true but {SSHD} is missing (apt-get install openssh-server)"
        );
        eprintln!("note: {test} skipped: {SSHD} is missing");
        return None;
    }
    Some(Sshd::start())
}

fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "haul-test", "-f"])
        .arg(path)
        .status()
        .expect("run ssh-keygen")
        .success();
    assert!(ok, "ssh-keygen failed");
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().unwrap().port()
}

impl Sshd {
    fn start() -> Sshd {
        let dir = tempfile::tempdir().expect("sshd folder");
        let d = dir.path();
        keygen(&d.join("host_key"));
        keygen(&d.join("client_key"));
        std::fs::copy(d.join("client_key.pub"), d.join("authorized_keys")).unwrap();
        // sshd's privilege separation folder (the package's service would make it).
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile none\n\
             AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
             PermitRootLogin prohibit-password\nAcceptEnv DOCKER_HOST\nLogLevel VERBOSE\n",
            d = d.display()
        );
        std::fs::write(d.join("sshd_config"), config).unwrap();
        let host_pub = std::fs::read_to_string(d.join("host_key.pub")).unwrap();
        let mut fields = host_pub.split_whitespace();
        let (kind, key) = (fields.next().unwrap(), fields.next().unwrap());
        std::fs::write(
            d.join("known_hosts"),
            format!("[127.0.0.1]:{port} {kind} {key}\n"),
        )
        .unwrap();
        let client = format!(
            "Host *\n  IdentityFile {d}/client_key\n  IdentitiesOnly yes\n\
             UserKnownHostsFile {d}/known_hosts\n  GlobalKnownHostsFile /dev/null\n\
             StrictHostKeyChecking yes\n  LogLevel ERROR\n",
            d = d.display()
        );
        std::fs::write(d.join("ssh_config"), client).unwrap();
        std::fs::create_dir_all(d.join("bin")).unwrap();
        let wrapper = d.join("bin/ssh");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\n# haul's tests: the system ssh with this test server's config.\n\
                 if [ -n \"$HAUL_TEST_REMOTE_DOCKER_HOST\" ]; then\n\
                 set -- -o \"SetEnv=DOCKER_HOST=$HAUL_TEST_REMOTE_DOCKER_HOST\" \"$@\"\nfi\n\
                 exec /usr/bin/ssh -F {d}/ssh_config \"$@\"\n",
                d = d.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let log = std::fs::File::create(d.join("sshd.log")).unwrap();
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start sshd");
        let sshd = Sshd { dir, port, child };
        let until = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < until,
                "sshd did not listen on 127.0.0.1:{port}: {}",
                sshd.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        sshd
    }

    /// `ssh://root@127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ssh://root@127.0.0.1:{}", self.port)
    }

    /// What sshd logged so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// `PATH` with the ssh wrapper first.
    pub fn path_env(&self) -> String {
        let bin: PathBuf = self.dir.path().join("bin");
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// The haul binary aimed at `engine` through this server (`DOCKER_HOST=ssh://...`).
    pub fn haul(&self, engine: &Engine) -> Command {
        let mut cmd = engine.haul();
        cmd.env("DOCKER_HOST", self.url())
            .env("PATH", self.path_env())
            .env("HAUL_TEST_REMOTE_DOCKER_HOST", &engine.host);
        cmd
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
