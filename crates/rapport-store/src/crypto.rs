//! Encryption at rest for sensitive free text (a client's noted needs, notes, messages).
//!
//! XChaCha20-Poly1305 with a random 192-bit nonce per value. The associated data binds each
//! ciphertext to its table, column, row id and key id, so a value copied into another row or
//! column fails to decrypt instead of leaking into the wrong place. Each stored value starts with
//! its key id, so keys can rotate: new writes use the newest key, old values stay readable.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use crate::{Result, StoreError};

const NONCE_LEN: usize = 24;
const KEY_ID_LEN: usize = 4;

/// Where a value lives, bound into its ciphertext.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    /// Table name.
    pub table: &'a str,
    /// Column name.
    pub column: &'a str,
    /// The row's id.
    pub row: &'a str,
}

/// The deployment's data keys, newest last.
#[derive(Clone)]
pub struct Vault {
    keys: BTreeMap<u32, XChaCha20Poly1305>,
    current: u32,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Vault {{ keys: {}, current: {} }}",
            self.keys.len(),
            self.current
        )
    }
}

/// Why a key file was refused.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// There is no key file at the path.
    #[error("key file {path} is missing")]
    Missing {
        /// The file.
        path: String,
    },
    /// A line was not `<key id> <64 hex digits>`, or repeated an id.
    #[error(
        "key file {path}, line {line}: expected `<key id> <64 hex digits>` with an id used once"
    )]
    Format {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
    },
}

impl Vault {
    /// A vault with one fresh random key, held in memory only (tests, benchmarks).
    pub fn generate() -> Vault {
        let mut vault = Vault {
            keys: BTreeMap::new(),
            current: 0,
        };
        let id = vault.fresh_key_id();
        vault.add_key(id, &random_key());
        vault
    }

    /// Creates the key file at `path` (mode 0600, its folder created if needed) with one fresh
    /// key under a random id, and refuses to replace an existing one. Whether a key may be
    /// created at all is the caller's decision ([`crate::key_guard`]): never for a database
    /// that already holds sealed values.
    pub fn create(path: &Path) -> std::result::Result<Vault, KeyFileError> {
        let io = |source| KeyFileError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut vault = Vault {
            keys: BTreeMap::new(),
            current: 0,
        };
        let id = vault.fresh_key_id();
        let key = random_key();
        write_new_key_file(path, id, &key).map_err(io)?;
        vault.add_key(id, &key);
        Ok(vault)
    }

    /// Loads the key file at `path`; the last line is the current key. A missing file is
    /// [`KeyFileError::Missing`], never a new key.
    pub fn load(path: &Path) -> std::result::Result<Vault, KeyFileError> {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyFileError::Missing { path: shown });
            }
            Err(source) => {
                return Err(KeyFileError::Io {
                    path: shown,
                    source,
                });
            }
        };
        let mut vault = Vault {
            keys: BTreeMap::new(),
            current: 0,
        };
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let bad = || KeyFileError::Format {
                path: shown.clone(),
                line: i + 1,
            };
            let (id, hex) = line.trim().split_once(' ').ok_or_else(bad)?;
            let id: u32 = id.parse().map_err(|_| bad())?;
            if id == CLIENT_KEY_ID || vault.keys.contains_key(&id) {
                return Err(bad());
            }
            let key = decode_hex32(hex.trim()).ok_or_else(bad)?;
            vault.add_key(id, &key);
        }
        if vault.keys.is_empty() {
            return Err(KeyFileError::Format {
                path: shown,
                line: 1,
            });
        }
        Ok(vault)
    }

    /// Appends a new key under a fresh random id to the file at `path` and makes it current;
    /// older keys stay for reading.
    pub fn rotate(&mut self, path: &Path) -> std::result::Result<u32, KeyFileError> {
        let id = self.fresh_key_id();
        let key = random_key();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| KeyFileError::Io {
                path: path.display().to_string(),
                source,
            })?;
        writeln!(f, "{id} {}", encode_hex(&key)).map_err(|source| KeyFileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        self.add_key(id, &key);
        Ok(id)
    }

    /// Every key id this vault can open.
    pub fn key_ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.keys.keys().copied()
    }

    /// A random key id no key of this vault has. Random rather than counted, so two deployments
    /// (or a key file made by mistake beside a restored database) never share an id, and a
    /// value sealed under one key is never tried, and refused, under another of the same id.
    fn fresh_key_id(&self) -> u32 {
        loop {
            let mut bytes = [0u8; 4];
            getrandom::fill(&mut bytes).expect("the operating system's random source failed");
            let id = u32::from_be_bytes(bytes);
            if id != 0 && id != CLIENT_KEY_ID && !self.keys.contains_key(&id) {
                return id;
            }
        }
    }

    /// The key id new values are written with.
    pub fn current_key_id(&self) -> u32 {
        self.current
    }

    fn add_key(&mut self, id: u32, key: &[u8; 32]) {
        self.keys
            .insert(id, XChaCha20Poly1305::new(Key::from_slice(key)));
        self.current = id;
    }

    /// Encrypts `plain` for `place` with the current key.
    pub fn seal(&self, place: Place<'_>, plain: &str) -> Vec<u8> {
        let cipher = &self.keys[&self.current];
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random source failed");
        let aad = aad(place, self.current);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(KEY_ID_LEN + NONCE_LEN + sealed.len());
        out.extend_from_slice(&self.current.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts a value sealed for exactly `place`.
    pub fn open(&self, place: Place<'_>, stored: &[u8]) -> Result<String> {
        if stored.len() < KEY_ID_LEN + NONCE_LEN {
            return Err(StoreError::Crypto);
        }
        let (id, rest) = stored.split_at(KEY_ID_LEN);
        let key_id = u32::from_be_bytes(id.try_into().map_err(|_| StoreError::Crypto)?);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let cipher = self.keys.get(&key_id).ok_or(StoreError::Crypto)?;
        let aad = aad(place, key_id);
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Crypto)?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto)
    }

    /// The key id a stored value was sealed with (for rotation: re-seal the older ones).
    pub fn key_id_of(stored: &[u8]) -> Option<u32> {
        stored
            .get(..KEY_ID_LEN)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
    }
}

impl Vault {
    /// Seals a client's data key for storage (`user_keys.wrapped`), bound to its owner.
    pub fn wrap(&self, owner: &str, key: &DataKey) -> Vec<u8> {
        self.seal(wrap_place(owner), &encode_hex(&key.bytes))
    }

    /// Opens a client's data key sealed by [`Vault::wrap`] for exactly `owner`.
    pub fn unwrap(&self, owner: &str, wrapped: &[u8]) -> Result<DataKey> {
        let hex = self.open(wrap_place(owner), wrapped)?;
        let bytes = decode_hex32(&hex).ok_or(StoreError::Crypto)?;
        Ok(DataKey::from_bytes(owner, bytes))
    }
}

fn wrap_place(owner: &str) -> Place<'_> {
    Place {
        table: "user_keys",
        column: "wrapped",
        row: owner,
    }
}

/// The key id written in front of values sealed with a client's own [`DataKey`]; a key file
/// may not use it, so a stored value always says which kind of key opens it.
pub const CLIENT_KEY_ID: u32 = u32::MAX;

/// One client's own data key. Their free text is sealed with it, and it is stored only wrapped
/// by the deployment's [`Vault`]: deleting the wrapped key (account deletion) leaves every copy
/// of that text, in the database or anywhere it was copied to, impossible to open.
#[derive(Clone)]
pub struct DataKey {
    owner: String,
    bytes: [u8; 32],
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey {{ owner: {} }}", self.owner)
    }
}

impl DataKey {
    /// A fresh random key for `owner` (a client's account id).
    pub fn generate(owner: &str) -> DataKey {
        DataKey::from_bytes(owner, random_key())
    }

    fn from_bytes(owner: &str, bytes: [u8; 32]) -> DataKey {
        DataKey {
            owner: owner.to_owned(),
            cipher: XChaCha20Poly1305::new(Key::from_slice(&bytes)),
            bytes,
        }
    }

    /// Whose key this is.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// Encrypts `plain` for `place`; the associated data also names the owner, so a value moved
    /// to another client's row does not open there.
    pub fn seal(&self, place: Place<'_>, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random source failed");
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: &client_aad(place, &self.owner),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(KEY_ID_LEN + NONCE_LEN + sealed.len());
        out.extend_from_slice(&CLIENT_KEY_ID.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts a value this key sealed for exactly `place`.
    pub fn open(&self, place: Place<'_>, stored: &[u8]) -> Result<String> {
        if !DataKey::sealed_with_client_key(stored) || stored.len() < KEY_ID_LEN + NONCE_LEN {
            return Err(StoreError::Crypto);
        }
        let (nonce, sealed) = stored[KEY_ID_LEN..].split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &client_aad(place, &self.owner),
                },
            )
            .map_err(|_| StoreError::Crypto)?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto)
    }

    /// Whether a stored value was sealed with a client's key (rather than the deployment's).
    pub fn sealed_with_client_key(stored: &[u8]) -> bool {
        Vault::key_id_of(stored) == Some(CLIENT_KEY_ID)
    }
}

fn client_aad(place: Place<'_>, owner: &str) -> Vec<u8> {
    format!(
        "rapport/v1\0{}\0{}\0{}\0client\0{}",
        place.table, place.column, place.row, owner
    )
    .into_bytes()
}

fn aad(place: Place<'_>, key_id: u32) -> Vec<u8> {
    format!(
        "rapport/v1\0{}\0{}\0{}\0{}",
        place.table, place.column, place.row, key_id
    )
    .into_bytes()
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("the operating system's random source failed");
    key
}

fn write_new_key_file(path: &Path, id: u32, key: &[u8; 32]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    writeln!(f, "{id} {}", encode_hex(key))?;
    f.sync_all()
}

/// Lower-case hex of `bytes`.
pub fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex32(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}
