//! `generate`: writes a large, realistic snapshot, byte for byte the same for the same options.
//!
//! Tokens are written straight into a byte buffer as they are drawn, never held as a document,
//! so a million of them take little memory and a few hundred milliseconds. A few tokens of each
//! workspace get a secret, and those secrets are handed back so they can be shown to the user.

mod random;
mod token;
mod vocabulary;

#[cfg(test)]
mod tests;

use std::io::{self, Write};

use random::{Rng, TokenIds};
use token::Demo;

/// The most tokens one run may generate.
pub(crate) const MAX_TOKENS: u64 = 10_000_000;

/// Bytes gathered before each write to the output, and between progress reports.
const CHUNK: usize = 1 << 20;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// How many tokens in all, `1..=MAX_TOKENS`.
    pub tokens: u64,
    /// How many workspaces share them, `1..=tokens`; sizes differ by one at most.
    pub workspaces: u32,
    /// The seed of the random stream: the same options give the same bytes.
    pub seed: u64,
}

impl GenerateOptions {
    /// Checks the ranges, with a message naming the command-line flag at fault.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_TOKENS).contains(&self.tokens) {
            return Err(format!(
                "--tokens must be between 1 and {MAX_TOKENS}, not {}",
                self.tokens
            ));
        }
        if self.workspaces == 0 || u64::from(self.workspaces) > self.tokens {
            return Err(format!(
                "--workspaces must be between 1 and the number of tokens ({}), not {}",
                self.tokens, self.workspaces
            ));
        }
        Ok(())
    }
}

/// A secret written into the snapshot, and what it authenticates as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSecret {
    /// The workspace id, `ws_gen_1` and so on.
    pub workspace: String,
    /// The id of the token the secret belongs to.
    pub token_id: String,
    /// The token's name.
    pub name: String,
    /// The token's status as written: `active`, `expired` or `revoked`.
    pub status: &'static str,
    /// The token's scopes.
    pub scopes: Vec<String>,
    /// The bearer value, `tok_live_` and 32 letters or digits.
    pub secret: String,
    /// What a `GET /v1/tokens` with this secret gets, such as `403 insufficient_scope: ...`.
    pub outcome: &'static str,
}

/// Writes a snapshot (the `{"workspaces": [...]}` shape) and returns the secrets it gave out.
///
/// Each workspace's first tokens get secrets, up to four: active with `tokens:read`, active
/// without it (both never expire), revoked, and expired. `out` is written in chunks of about a
/// megabyte, so it needs no buffering of its own, and is flushed at the end. `progress` is
/// called after each chunk, and once at the end, with the number of tokens written so far.
/// Options out of range give an error of kind `InvalidInput` with `GenerateOptions::validate`'s
/// message.
pub fn generate(
    options: &GenerateOptions,
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> io::Result<Vec<DemoSecret>> {
    options
        .validate()
        .map_err(|message| io::Error::new(io::ErrorKind::InvalidInput, message))?;
    let mut rng = Rng::new(options.seed);
    let ids = TokenIds::new(&mut rng);
    let mut buf = Vec::with_capacity(CHUNK + 4096);
    let mut name = String::new();
    let mut secrets = Vec::new();
    let workspaces = u64::from(options.workspaces);
    let (per_workspace, larger) = (options.tokens / workspaces, options.tokens % workspaces);
    let mut written = 0;

    buf.extend_from_slice(b"{\"workspaces\":[\n");
    for w in 0..workspaces {
        let workspace_id = format!("ws_gen_{}", w + 1);
        let companies = vocabulary::COMPANIES.len() as u64;
        let (company, domain) = vocabulary::COMPANIES[(w % companies) as usize];
        write_workspace_head(&mut buf, &workspace_id, company, w / companies);
        let count = per_workspace + u64::from(w < larger);
        for t in 0..count {
            let demo = Demo::ALL.get(t as usize).copied();
            let drawn = token::draw(&mut rng, &ids, written, demo, &mut name);
            let secret = demo.map(|kind| {
                let secret = random::secret(&mut rng);
                secrets.push(demo_secret(&workspace_id, &drawn, &name, &secret, kind));
                secret
            });
            token::write_json(&mut buf, &drawn, &name, domain, secret.as_deref());
            buf.extend_from_slice(if t + 1 < count { b",\n" } else { b"\n" });
            written += 1;
            if buf.len() >= CHUNK {
                out.write_all(&buf)?;
                buf.clear();
                progress(written);
            }
        }
        buf.extend_from_slice(if w + 1 < workspaces {
            b"]},\n"
        } else {
            b"]}\n"
        });
    }
    buf.extend_from_slice(b"]}\n");
    out.write_all(&buf)?;
    out.flush()?;
    progress(written);
    Ok(secrets)
}

/// `{"id":"ws_gen_1","name":"Acme Inc.","tokens":[`; once every company is used, the
/// names repeat with a number, so that every workspace name stays distinct.
fn write_workspace_head(buf: &mut Vec<u8>, id: &str, company: &str, round: u64) {
    buf.extend_from_slice(b"{\"id\":\"");
    buf.extend_from_slice(id.as_bytes());
    buf.extend_from_slice(b"\",\"name\":\"");
    buf.extend_from_slice(company.as_bytes());
    if round > 0 {
        buf.extend_from_slice(format!(" {}", round + 1).as_bytes());
    }
    buf.extend_from_slice(b"\",\"tokens\":[\n");
}

fn demo_secret(
    workspace: &str,
    drawn: &token::Drawn,
    name: &str,
    secret: &str,
    kind: Demo,
) -> DemoSecret {
    DemoSecret {
        workspace: workspace.to_owned(),
        token_id: String::from_utf8_lossy(&drawn.id).into_owned(),
        name: name.to_owned(),
        status: drawn.status.as_str(),
        scopes: vocabulary::scope_names(drawn.scopes)
            .map(str::to_owned)
            .collect(),
        secret: secret.to_owned(),
        outcome: kind.outcome(),
    }
}
