//! The words generated tokens are made of: names, scopes, people and workspaces.
//!
//! Names come in families that share substrings ("ci" also inside "Precision" and "CircleCI",
//! "prod" inside "preprod" and "Product", "deploy" inside "Redeploy") so that a name filter
//! has near misses to tell apart, and in several scripts, with emoji and a decomposed accent,
//! so that case folding and normalisation get exercised. None of these words needs escaping
//! in JSON, which lets the writer copy them as they are (a test holds this).

use super::random::Rng;

/// Every scope a token may carry, as bits of a `u16`; `tokens:read` is bit 0.
pub(super) const SCOPES: [&str; 16] = [
    "tokens:read",
    "tokens:write",
    "deployments:read",
    "deployments:write",
    "builds:read",
    "builds:write",
    "billing:read",
    "billing:write",
    "members:read",
    "members:write",
    "audit_logs:read",
    "metrics:read",
    "sync:read",
    "sync:write",
    "webhooks:read",
    "webhooks:write",
];

/// The bit of `tokens:read`, the scope the listing endpoint requires.
pub(super) const TOKENS_READ: u16 = 1;

const fn bits(indices: &[usize]) -> u16 {
    let mut mask = 0;
    let mut i = 0;
    while i < indices.len() {
        mask |= 1 << indices[i];
        i += 1;
    }
    mask
}

/// What a token is for: its words and the scopes such a token would carry (never bit 0).
pub(super) struct Purpose {
    slug: &'static str,
    title: &'static str,
    scopes: u16,
}

const CI: usize = 0;
const DEPLOY: usize = 1;
const RELEASE: usize = 2;
const TERRAFORM: usize = 3;
const BACKUP: usize = 4;
const METRICS: usize = 5;
const BILLING: usize = 6;
const AUDIT: usize = 7;
const SYNC: usize = 8;
const WEBHOOKS: usize = 9;
const ROTATION: usize = 10;

const fn purpose(slug: &'static str, title: &'static str, scopes: u16) -> Purpose {
    Purpose {
        slug,
        title,
        scopes,
    }
}

const PURPOSES: [Purpose; 11] = [
    purpose("ci", "CI", bits(&[2, 4, 5])),
    purpose("deploy", "Deploy", bits(&[2, 3])),
    purpose("release", "Release Bot", bits(&[3, 4])),
    purpose("terraform", "Terraform", bits(&[1, 3, 8, 9])),
    purpose("backup", "Backup", bits(&[10, 12])),
    purpose("metrics", "Metrics", bits(&[11])),
    purpose("billing-export", "Billing Export", bits(&[6, 7])),
    purpose("audit", "Audit Log", bits(&[8, 10])),
    purpose("sync", "Sync", bits(&[12, 13])),
    purpose("webhooks", "Webhook Relay", bits(&[14, 15])),
    purpose("rotation", "Key Rotation", bits(&[1])),
];

const ENVIRONMENTS: [&str; 9] = [
    "prod",
    "production",
    "preprod",
    "staging",
    "dev",
    "qa",
    "eu-prod",
    "us-east",
    "sandbox",
];

const TOOLS: [&str; 6] = [
    "GitHub Actions",
    "GitLab",
    "CircleCI",
    "Jenkins",
    "Argo",
    "Buildkite",
];

/// Names people actually type, each with the purpose that decides its scopes.
const SPECIAL_NAMES: [(&str, usize); 27] = [
    ("CI Deploy Token", CI),
    ("ci-deploy", DEPLOY),
    ("Read-Only Audit Key", AUDIT),
    ("Precision Metrics", METRICS),
    ("Social Feed Sync", SYNC),
    ("Product Analytics", METRICS),
    ("Redeploy Hook", WEBHOOKS),
    ("Production Deploy", DEPLOY),
    ("Straße Sync", SYNC),
    ("STRASSE SYNC", SYNC),
    ("ΟΔΟΣ", SYNC),
    ("οδός backup", BACKUP),
    ("日本語", AUDIT),
    ("日本語 デプロイ", DEPLOY),
    ("本番 CI", CI),
    ("🚀 prod deploy", DEPLOY),
    ("🔑 Key Rotation", ROTATION),
    ("🤖 Release Bot", RELEASE),
    ("Deploy 🚢 staging", DEPLOY),
    ("👩‍💻 dev tools", CI),
    ("Café Export", BILLING),
    // The same name with a combining accent, as some keyboards and file systems produce it.
    ("Cafe\u{301} Export", BILLING),
    ("Zürich CI", CI),
    ("Déploiement prod", DEPLOY),
    ("Москва prod", SYNC),
    ("Terraform Cloud – prod", TERRAFORM),
    (
        "Nightly warehouse export for the finance team's quarterly reporting pipeline \
         (prod, eu-west-1, owned by platform engineering; rotate every 90 days)",
        BILLING,
    ),
];

/// Who creates tokens; e-mail local parts.
pub(super) const PEOPLE: [&str; 18] = [
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "oscar",
    "peggy",
    "trent",
    "victor",
    "wendy",
    "ci-bot",
    "platform-team",
];

/// Workspace names and the domain of their members' e-mail addresses.
pub(super) const COMPANIES: [(&str, &str); 10] = [
    ("Acme Inc.", "acme.example"),
    ("Globex", "globex.example"),
    ("Initech", "initech.example"),
    ("Müller GmbH", "mueller.example"),
    ("Umbrella Labs", "umbrella.example"),
    ("株式会社サンプル", "sample.example"),
    ("Hooli", "hooli.example"),
    ("Ακρόπολη AE", "akropoli.example"),
    ("Stark Industries", "stark.example"),
    ("Tyrell Corp", "tyrell.example"),
];

/// Writes a name into `name` and returns the purpose behind it.
pub(super) fn draw_name(rng: &mut Rng, name: &mut String) -> &'static Purpose {
    name.clear();
    let roll = rng.below(100);
    if roll >= 80 {
        let (text, purpose) = SPECIAL_NAMES[rng.index(SPECIAL_NAMES.len())];
        name.push_str(text);
        return &PURPOSES[purpose];
    }
    let purpose = &PURPOSES[rng.index(PURPOSES.len())];
    let env = ENVIRONMENTS[rng.index(ENVIRONMENTS.len())];
    let parts: [&str; 3] = match roll {
        0..=19 => [env, "-", purpose.slug],
        20..=34 => [purpose.slug, "-", env],
        35..=49 => [purpose.title, " (", env],
        50..=59 => [purpose.title, " token", ""],
        60..=69 => [TOOLS[rng.index(TOOLS.len())], " ", purpose.title],
        _ => [purpose.slug, "-", env],
    };
    parts.iter().for_each(|part| name.push_str(part));
    match roll {
        35..=49 => name.push(')'),
        // Numbered copies, as teams make when one token per runner or region is needed.
        70..=79 => {
            name.push('-');
            push_number(name, 1 + rng.below(40));
        }
        _ => {}
    }
    purpose
}

fn push_number(text: &mut String, n: u64) {
    use std::fmt::Write;
    // Writing into a String cannot fail.
    let _ = write!(text, "{n}");
}

/// A non-empty subset of the purpose's scopes, without `tokens:read`.
pub(super) fn draw_scopes(rng: &mut Rng, purpose: &Purpose) -> u16 {
    let mut mask = 0;
    for bit in 0..16 {
        if purpose.scopes & (1 << bit) != 0 && rng.below(100) < 60 {
            mask |= 1 << bit;
        }
    }
    if mask == 0 {
        // The lowest bit of the purpose: a token with no scope at all would be pointless.
        mask = purpose.scopes & purpose.scopes.wrapping_neg();
    }
    mask
}

/// The scope names of a mask, in the order of [`SCOPES`].
pub(super) fn scope_names(mask: u16) -> impl Iterator<Item = &'static str> {
    SCOPES
        .iter()
        .enumerate()
        .filter(move |(bit, _)| mask & (1 << bit) != 0)
        .map(|(_, scope)| *scope)
}

/// Every word of the vocabulary that can end up inside a JSON string.
#[cfg(test)]
pub(super) fn all_words() -> Vec<&'static str> {
    let mut words: Vec<&str> = SCOPES.to_vec();
    for p in &PURPOSES {
        words.extend([p.slug, p.title]);
    }
    words.extend(ENVIRONMENTS);
    words.extend(TOOLS);
    words.extend(SPECIAL_NAMES.iter().map(|(name, _)| *name));
    words.extend(PEOPLE);
    words.extend(COMPANIES.iter().flat_map(|(name, domain)| [*name, *domain]));
    words
}
