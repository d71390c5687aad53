//! What the server holds in memory to serve: the tracker scripts, ours
//! (`/js/p.js`) and every Plausible-compatible variant
//! (`/js/script.<modifiers>.js`), read once at start-up, each with its ETag and
//! its precompressed bodies.
//!
//! `make tracker` builds them into `public/js/` (the site build copies that to
//! `<site root>/js/`): `p.js` and `plausible/script[.<modifiers>].js`, the
//! modifiers in [`MODIFIERS`] order, each with `.gz` and `.br` beside it.
//! Without a build (a plain `cargo run` or `cargo test`), each script is the
//! hand-written source with its switches declared in front of it.

use std::{path::Path, sync::LazyLock};

use axum::{body::Bytes, http::HeaderValue};
use sha2::{Digest, Sha256};

/// Plausible's script modifiers, in the order the build names its files by
/// (`server/tracker/modifiers.json`, which a test holds equal to this).
pub const MODIFIERS: [&str; 9] = [
    "hash",
    "outbound-links",
    "file-downloads",
    "tagged-events",
    "manual",
    "exclusions",
    "pageview-props",
    "revenue",
    "local",
];

/// The hand-written source, served when no build is present.
const SOURCE: &str = include_str!("../tracker/p.js");

/// A set of [`MODIFIERS`], bit `i` for `MODIFIERS[i]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modifiers(u16);

impl Modifiers {
    /// `hash.outbound-links`, in any order. Unknown and repeated modifiers are
    /// refused: Plausible serves neither, so a cache never holds two names for
    /// one script.
    pub fn parse(dotted: &str) -> Result<Self, ScriptError> {
        let mut set = 0u16;
        for name in dotted.split('.') {
            let bit = MODIFIERS
                .iter()
                .position(|m| *m == name)
                .ok_or_else(|| ScriptError::UnknownModifier(name.to_owned()))?;
            if set & (1 << bit) != 0 {
                return Err(ScriptError::RepeatedModifier(name.to_owned()));
            }
            set |= 1 << bit;
        }
        Ok(Modifiers(set))
    }

    pub fn contains(self, modifier: &str) -> bool {
        MODIFIERS
            .iter()
            .position(|m| *m == modifier)
            .is_some_and(|bit| self.0 & (1 << bit) != 0)
    }

    /// Where the build puts this variant, relative to the site root.
    pub fn built_path(self) -> String {
        let mut path = "js/plausible/script".to_owned();
        for (bit, name) in MODIFIERS.iter().enumerate() {
            if self.0 & (1 << bit) != 0 {
                path.push('.');
                path.push_str(name);
            }
        }
        path + ".js"
    }

    fn all() -> impl Iterator<Item = Self> {
        (0..1u16 << MODIFIERS.len()).map(Modifiers)
    }
}

/// The script a `/js/{file}` name asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptName {
    /// `p.js`.
    Ours,
    /// `script.js`, `plausible.js` and their `.<modifiers>.js` forms.
    Plausible(Modifiers),
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("no such script")]
    NoSuchScript,
    #[error("unknown script modifier \"{0}\"")]
    UnknownModifier(String),
    #[error("the script modifier \"{0}\" is named twice")]
    RepeatedModifier(String),
}

impl ScriptName {
    pub fn parse(file: &str) -> Result<Self, ScriptError> {
        if file == "p.js" {
            return Ok(ScriptName::Ours);
        }
        let stem = file.strip_suffix(".js").ok_or(ScriptError::NoSuchScript)?;
        let (prefix, modifiers) = match stem.split_once('.') {
            Some((prefix, modifiers)) => (prefix, Some(modifiers)),
            None => (stem, None),
        };
        if prefix != "script" && prefix != "plausible" {
            return Err(ScriptError::NoSuchScript);
        }
        modifiers
            .map_or(Ok(Modifiers::default()), Modifiers::parse)
            .map(ScriptName::Plausible)
    }
}

/// One encoding of a script, with the ETag of exactly these bytes.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub body: Bytes,
    pub etag: HeaderValue,
}

impl Encoded {
    fn new(body: Bytes) -> Self {
        let etag = etag(&Sha256::digest(&body)[..8]);
        Encoded { body, etag }
    }
}

fn etag(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", hex::encode(bytes)))
        .expect("hex is a valid header value")
}

/// A script as served: its plain bytes and the compressed ones the build made.
#[derive(Clone, Debug)]
pub struct Script {
    pub identity: Encoded,
    pub gzip: Option<Encoded>,
    pub brotli: Option<Encoded>,
}

impl Script {
    /// Reads `<root>/<path>` and the `.gz` and `.br` beside it; `None` when the
    /// plain file is missing.
    fn read(root: &Path, path: &str) -> Option<Self> {
        let read = |suffix: &str| {
            std::fs::read(root.join(format!("{path}{suffix}")))
                .ok()
                .map(|bytes| Encoded::new(Bytes::from(bytes)))
        };
        Some(Script {
            identity: read("")?,
            gzip: read(".gz"),
            brotli: read(".br"),
        })
    }
}

/// Every tracker script, indexed for the route.
pub struct TrackerScripts {
    ours: Script,
    /// Indexed by a [`Modifiers`] set's bits.
    variants: Box<[Script]>,
}

impl TrackerScripts {
    /// Reads every built script once, at start-up; a script not built is its
    /// source (logged once, with how many).
    pub fn load(site_root: &str) -> Self {
        let root = Path::new(site_root);
        let mut missing = 0;
        let mut read = |path: &str, name: ScriptName| {
            Script::read(root, path).unwrap_or_else(|| {
                missing += 1;
                from_source(name)
            })
        };
        let ours = read("js/p.js", ScriptName::Ours);
        let variants = Modifiers::all()
            .map(|set| read(&set.built_path(), ScriptName::Plausible(set)))
            .collect();
        if missing > 0 {
            tracing::warn!(
                site_root,
                missing,
                "tracker scripts not built (make tracker); serving their source"
            );
        }
        TrackerScripts { ours, variants }
    }

    pub fn get(&self, name: ScriptName) -> &Script {
        match name {
            ScriptName::Ours => &self.ours,
            ScriptName::Plausible(set) => &self.variants[usize::from(set.0)],
        }
    }
}

/// The source with its switches declared as constants, wrapped in a function
/// so they stay out of the page's globals. Every variant gets engagement events
/// here: the build leaves them out only to keep minified variants within budget.
/// Made once per process: every `AppState` of a test run shares them.
fn from_source(name: ScriptName) -> Script {
    static OURS: LazyLock<Script> = LazyLock::new(|| with_switches(false, Modifiers::default()));
    static VARIANTS: LazyLock<Vec<Script>> = LazyLock::new(|| {
        Modifiers::all()
            .map(|set| with_switches(true, set))
            .collect()
    });
    match name {
        ScriptName::Ours => OURS.clone(),
        ScriptName::Plausible(set) => VARIANTS[usize::from(set.0)].clone(),
    }
}

fn with_switches(plausible: bool, set: Modifiers) -> Script {
    static SOURCE_DIGEST: LazyLock<[u8; 32]> = LazyLock::new(|| Sha256::digest(SOURCE).into());
    let mut switches = vec![
        ("PLAUSIBLE".to_owned(), plausible),
        ("ENGAGEMENT".to_owned(), plausible),
    ];
    for modifier in MODIFIERS {
        let switch = modifier.to_ascii_uppercase().replace('-', "_");
        switches.push((switch, plausible && set.contains(modifier)));
    }
    let declared: Vec<String> = switches
        .iter()
        .map(|(switch, on)| format!("{switch} = {on}"))
        .collect();
    let body = format!(
        "(() => {{\nconst {};\n{SOURCE}}})();\n",
        declared.join(", ")
    );
    // Hashing the source once and then only its digest with the switches keeps
    // 513 ETags cheap in unoptimised test builds.
    let mut hasher = Sha256::new();
    hasher.update(*SOURCE_DIGEST);
    hasher.update([u8::from(plausible)]);
    hasher.update(set.0.to_le_bytes());
    Script {
        identity: Encoded {
            body: Bytes::from(body),
            etag: etag(&hasher.finalize()[..8]),
        },
        gzip: None,
        brotli: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_modifiers_are_the_builds() {
        let built: Vec<String> =
            serde_json::from_str(include_str!("../tracker/modifiers.json")).unwrap();
        assert_eq!(built, MODIFIERS);
    }

    #[test]
    fn names_are_parsed_in_any_order() {
        let a = ScriptName::parse("script.outbound-links.hash.js").unwrap();
        let b = ScriptName::parse("plausible.hash.outbound-links.js").unwrap();
        assert_eq!(a, b);
        let ScriptName::Plausible(set) = a else {
            panic!()
        };
        assert_eq!(
            set.built_path(),
            "js/plausible/script.hash.outbound-links.js"
        );
        assert_eq!(
            ScriptName::parse("script.js").unwrap(),
            ScriptName::parse("plausible.js").unwrap()
        );
        assert_eq!(ScriptName::parse("p.js").unwrap(), ScriptName::Ours);
    }

    #[test]
    fn unknown_and_repeated_modifiers_are_refused() {
        assert_eq!(
            ScriptName::parse("script.hash.compat.js"),
            Err(ScriptError::UnknownModifier("compat".into()))
        );
        assert_eq!(
            ScriptName::parse("script.hash.hash.js"),
            Err(ScriptError::RepeatedModifier("hash".into()))
        );
        assert_eq!(
            ScriptName::parse("script..js"),
            Err(ScriptError::UnknownModifier(String::new()))
        );
        for file in ["tracker.js", "script.hash", "p.js.map", "scripts.js", ""] {
            assert_eq!(
                ScriptName::parse(file),
                Err(ScriptError::NoSuchScript),
                "{file}"
            );
        }
    }

    #[test]
    fn the_source_stands_in_with_its_switches_declared() {
        let script = from_source(ScriptName::parse("script.hash.local.js").unwrap());
        let body = std::str::from_utf8(&script.identity.body).unwrap();
        assert!(body.starts_with("(() => {\nconst PLAUSIBLE = true, ENGAGEMENT = true, HASH = true, OUTBOUND_LINKS = false"));
        assert!(body.contains("LOCAL = true;\n"));
        assert!(body.ends_with("})();\n"));
        let ours = from_source(ScriptName::Ours);
        assert_ne!(ours.identity.etag, script.identity.etag);
        assert!(
            std::str::from_utf8(&ours.identity.body)
                .unwrap()
                .contains("PLAUSIBLE = false, ENGAGEMENT = false, HASH = false")
        );
    }
}
