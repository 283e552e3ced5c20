//! The typed reader: checks each token as it comes off the parser, borrowing its strings
//! from the input, so that a million-token file is neither copied nor held as a tree.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::validate::Validator;
use super::{
    first_byte, Problem, RawToken, Shape, Snapshot, TokenData, WorkspaceData, DEFAULT_WORKSPACE,
};

/// A token as the typed readers take it: every field of the right type, none unknown.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(super) struct FastToken<'a> {
    #[serde(borrow)]
    pub(super) id: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) name: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) scopes: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) status: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) created_at: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) expires_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) last_used_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(super) created_by: Cow<'a, str>,
    #[serde(borrow, default)]
    pub(super) secret: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(super) secret_sha256: Option<Cow<'a, str>>,
}

impl<'a> From<FastToken<'a>> for RawToken<'a> {
    fn from(t: FastToken<'a>) -> RawToken<'a> {
        RawToken {
            id: Some(t.id),
            name: Some(t.name),
            scopes: Some(t.scopes),
            status: Some(t.status),
            created_at: Some(t.created_at),
            expires_at: Some(t.expires_at),
            last_used_at: Some(t.last_used_at),
            created_by: Some(t.created_by),
            secret: t.secret,
            secret_sha256: t.secret_sha256,
        }
    }
}

/// Reads and checks a document. `Err` means the typed reader could not take it (the caller
/// then reads it again generically); `Ok(Err(_))` lists the problems of values.
pub(super) fn parse(bytes: &[u8]) -> Result<Result<Snapshot, Vec<Problem>>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut validator = Validator::default();
    // A token takes about 250 bytes of JSON: room for the id index up front saves rehashing
    // it over and over as a large file is read.
    validator.expect_tokens(bytes.len() / 256);
    let workspaces = if first_byte(bytes) == Some(b'[') {
        validator.shape = Shape::Bare;
        let tokens = TokensSeed {
            validator: &mut validator,
            workspace: 0,
        }
        .deserialize(&mut de)?;
        default_workspace(&mut validator, tokens)
    } else {
        TopSeed {
            validator: &mut validator,
        }
        .deserialize(&mut de)?
    };
    de.end()?;
    Ok(validator.finish(workspaces))
}

fn default_workspace(validator: &mut Validator, tokens: Vec<TokenData>) -> Vec<WorkspaceData> {
    validator
        .workspace(
            0,
            Some(DEFAULT_WORKSPACE),
            Some("Default workspace".to_owned()),
            tokens,
        )
        .into_iter()
        .collect()
}

/// `{"workspaces": [...]}` or `{"data": [...], "meta": {...}}`.
struct TopSeed<'v> {
    validator: &'v mut Validator,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Vec<WorkspaceData>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = Vec<WorkspaceData>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with workspaces, or with data")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "workspaces" if found.is_none() => {
                    self.validator.shape = Shape::Workspaces;
                    found = Some(map.next_value_seed(WorkspacesSeed {
                        validator: &mut *self.validator,
                    })?);
                }
                "data" if found.is_none() => {
                    self.validator.shape = Shape::Data;
                    let seed = TokensSeed {
                        validator: &mut *self.validator,
                        workspace: 0,
                    };
                    let tokens = map.next_value_seed(seed)?;
                    found = Some(default_workspace(self.validator, tokens));
                }
                "meta" => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => {
                    return Err(de::Error::custom(
                        "an unknown, repeated or conflicting field",
                    ))
                }
            }
        }
        found.ok_or_else(|| de::Error::custom("neither workspaces nor data"))
    }
}

struct WorkspacesSeed<'v> {
    validator: &'v mut Validator,
}

impl<'de> DeserializeSeed<'de> for WorkspacesSeed<'_> {
    type Value = Vec<WorkspaceData>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for WorkspacesSeed<'_> {
    type Value = Vec<WorkspaceData>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of workspaces")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut workspaces = Vec::new();
        let mut w = 0;
        while let Some(workspace) = seq.next_element_seed(WorkspaceSeed {
            validator: &mut *self.validator,
            workspace: w,
        })? {
            workspaces.extend(workspace);
            w += 1;
        }
        Ok(workspaces)
    }
}

/// `{"id": ..., "name": ..., "tokens": [...]}`, in any key order.
struct WorkspaceSeed<'v> {
    validator: &'v mut Validator,
    workspace: usize,
}

impl<'de> DeserializeSeed<'de> for WorkspaceSeed<'_> {
    type Value = Option<WorkspaceData>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for WorkspaceSeed<'_> {
    type Value = Option<WorkspaceData>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a workspace object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut name, mut tokens) = (None, None, None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "id" if id.is_none() => id = Some(map.next_value::<Cow<'de, str>>()?),
                "name" if name.is_none() => name = Some(map.next_value::<String>()?),
                "tokens" if tokens.is_none() => {
                    let seed = TokensSeed {
                        validator: &mut *self.validator,
                        workspace: self.workspace,
                    };
                    tokens = Some(map.next_value_seed(seed)?);
                }
                _ => return Err(de::Error::custom("an unknown or repeated workspace field")),
            }
        }
        let (Some(id), Some(name), Some(tokens)) = (id, name, tokens) else {
            return Err(de::Error::custom("a workspace without id, name or tokens"));
        };
        Ok(self
            .validator
            .workspace(self.workspace, Some(&id), Some(name), tokens))
    }
}

/// An array of tokens, each checked as soon as it is read.
struct TokensSeed<'v> {
    validator: &'v mut Validator,
    workspace: usize,
}

impl<'de> DeserializeSeed<'de> for TokensSeed<'_> {
    type Value = Vec<TokenData>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TokensSeed<'_> {
    type Value = Vec<TokenData>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of tokens")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut tokens = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        let mut t = 0;
        while let Some(token) = seq.next_element::<FastToken<'de>>()? {
            tokens.extend(
                self.validator
                    .token(RawToken::from(token), self.workspace, t),
            );
            t += 1;
        }
        Ok(tokens)
    }
}
