//! The GitHub token: from `GH_TOKEN`, then `GITHUB_TOKEN`, then `gh auth token`.
//! It is never printed: [`Token`] has no `Display` and its `Debug` hides the value.

use std::fmt;
use std::process::{Command, Stdio};

use super::error::ArtifactError;

/// A secret. Sent only to the API host, as `Authorization: Bearer`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Where the token came from, for `--verbose`-style messages (never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    GhTokenEnv,
    GithubTokenEnv,
    GhCli,
    Given,
}

impl Token {
    pub fn new(secret: impl Into<String>) -> Token {
        Token(secret.into().trim().to_string())
    }

    pub(crate) fn secret(&self) -> &str {
        &self.0
    }

    /// `GH_TOKEN`, then `GITHUB_TOKEN`, then `gh auth token` (for `host` when it is not
    /// github.com). Empty values are skipped. Without any, [`ArtifactError::NoToken`].
    pub fn resolve(host: Option<&str>) -> Result<(Token, TokenSource), ArtifactError> {
        Token::resolve_with(|name| std::env::var(name).ok(), host)
    }

    /// [`Token::resolve`] with the environment given as a function (for tests).
    pub fn resolve_with(
        env: impl Fn(&str) -> Option<String>,
        host: Option<&str>,
    ) -> Result<(Token, TokenSource), ArtifactError> {
        for (name, source) in [
            ("GH_TOKEN", TokenSource::GhTokenEnv),
            ("GITHUB_TOKEN", TokenSource::GithubTokenEnv),
        ] {
            if let Some(value) = env(name).filter(|v| !v.trim().is_empty()) {
                return Ok((Token::new(value), source));
            }
        }
        gh_auth_token(host)
            .map(|t| (t, TokenSource::GhCli))
            .ok_or(ArtifactError::NoToken)
    }
}

/// `gh auth token [--hostname HOST]`, when gh is installed and logged in.
fn gh_auth_token(host: Option<&str>) -> Option<Token> {
    let mut cmd = Command::new("gh");
    cmd.args(["auth", "token"]);
    if let Some(host) = host.filter(|h| *h != "github.com" && *h != "api.github.com") {
        cmd.args(["--hostname", host]);
    }
    let output = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let value = String::from_utf8(output.stdout).ok()?;
    (!value.trim().is_empty()).then(|| Token::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let token = Token::new("ghp_supersecret\n");
        let shown = format!("{token:?} {:?}", Some(&token));
        assert!(!shown.contains("supersecret"), "{shown}");
        assert_eq!(token.secret(), "ghp_supersecret");
    }

    #[test]
    fn gh_token_wins_over_github_token_and_empty_values_are_skipped() {
        let env = |name: &str| match name {
            "GH_TOKEN" => Some("one".to_string()),
            "GITHUB_TOKEN" => Some("two".to_string()),
            _ => None,
        };
        let (token, source) = Token::resolve_with(env, None).expect("token");
        assert_eq!((token.secret(), source), ("one", TokenSource::GhTokenEnv));

        let env = |name: &str| match name {
            "GH_TOKEN" => Some("  ".to_string()),
            "GITHUB_TOKEN" => Some("two".to_string()),
            _ => None,
        };
        let (token, source) = Token::resolve_with(env, None).expect("token");
        assert_eq!(
            (token.secret(), source),
            ("two", TokenSource::GithubTokenEnv)
        );
    }
}
