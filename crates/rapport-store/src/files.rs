//! Owner-only modes for everything on disk that holds client data.
//!
//! The database, its `-wal` and `-shm` files and backups hold check-in answers and password
//! hashes, so Rapport creates them 0600 in a 0700 folder whatever the process umask (an umask of
//! 022, the usual default, would make them world-readable). A database that already exists is
//! never changed behind the operator's back (they may have widened it on purpose, for a backup
//! group say): [`warn_if_wider`] names what is wider in a start-up warning instead.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The widest mode a data file should have: read and write for its owner only.
pub const FILE_MODE: u32 = 0o600;

/// The widest mode a data folder should have: its owner only.
pub const DIR_MODE: u32 = 0o700;

/// Creates `path` and any missing parents as owner-only folders (0700), so that a data folder
/// made by Rapport is private from the start; a folder that already exists is left as it is.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(path)?;
    set_mode(path, DIR_MODE)
}

/// Creates (or empties) `path` as an owner-only file (0600) for writing, for backups and anything
/// else that copies the data out of the database. A file that was there before is narrowed too,
/// since its old contents are being replaced by data.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, FILE_MODE);
    let file = opts.open(path)?;
    set_mode(path, FILE_MODE)?;
    Ok(file)
}

/// The files SQLite keeps for the database at `db`: the folder, the file itself, its write-ahead
/// log and its shared-memory index (SQLite gives the last two the main file's mode).
pub fn sqlite_paths(db: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        paths.push(dir.to_path_buf());
    }
    paths.push(db.to_path_buf());
    for suffix in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        paths.push(PathBuf::from(name));
    }
    paths
}

/// Those of `paths` that exist and let anyone but their owner in (a folder wider than 0700, a
/// file wider than 0600), each with its mode; always empty where modes do not exist (Windows).
pub fn wider_than_private(paths: &[PathBuf]) -> Vec<(PathBuf, u32)> {
    paths
        .iter()
        .filter_map(|p| {
            let mode = mode_of(p)?;
            let limit = if p.is_dir() { DIR_MODE } else { FILE_MODE };
            (mode & !limit != 0).then(|| (p.clone(), mode))
        })
        .collect()
}

/// Logs one warning per path in `paths` that is wider than owner-only, with the `chmod` that
/// narrows it, so that an operator sees at start that answers and password hashes are exposed.
pub fn warn_if_wider(paths: &[PathBuf]) {
    for (path, mode) in wider_than_private(paths) {
        let wanted = if path.is_dir() { DIR_MODE } else { FILE_MODE };
        tracing::warn!(
            path = %path.display(),
            "{} holds client data but other users can reach it (mode {mode:o}); run: chmod {wanted:o} {}",
            path.display(),
            path.display()
        );
    }
}

/// Gets the database file at `db` ready for SQLite: a new one is created empty and 0600 (SQLite
/// would make it 0644 under the usual umask, and its `-wal` and `-shm` files after it) in a folder
/// narrowed to 0700 when that folder is ours and not a shared one such as `/tmp`; an existing one
/// is only checked, with a warning for anything wider.
pub(crate) fn prepare_sqlite_file(db: &Path) -> io::Result<()> {
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty());
    if !db.exists() {
        if let Some(dir) = dir {
            create_private_dir(dir)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, FILE_MODE);
        opts.open(db)?;
        set_mode(db, FILE_MODE)?;
        if let Some(dir) = dir
            && owned_and_unshared(dir, db)
        {
            set_mode(dir, DIR_MODE)?;
        }
    }
    warn_if_wider(&sqlite_paths(db));
    Ok(())
}

#[cfg(unix)]
fn owned_and_unshared(dir: &Path, created: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    const STICKY: u32 = 0o1000;
    match (std::fs::metadata(dir), std::fs::metadata(created)) {
        (Ok(d), Ok(f)) => d.uid() == f.uid() && d.mode() & STICKY == 0,
        _ => false,
    }
}

#[cfg(not(unix))]
fn owned_and_unshared(_dir: &Path, _created: &Path) -> bool {
    false
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn mode_of(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::metadata(path).ok()?.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode_of(_path: &Path) -> Option<u32> {
    None
}
