//! Where the rendered bytes go: stdout, a file replaced atomically
//! (`--out`), or the end of a file (`--append`). Each gets the whole output
//! in one write, so no reader ever sees half of it.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub enum Destination {
    Stdout,
    /// Replace the file atomically: a temporary file beside it, renamed.
    Out(PathBuf),
    /// Add to the end of the file with one write on an O_APPEND handle.
    Append(PathBuf),
}

/// Writes what `render` makes. `render` is told whether the output starts
/// a file (header and byte order mark belong only there).
pub fn write(
    destination: &Destination,
    render: impl FnOnce(bool) -> Result<Vec<u8>>,
) -> Result<()> {
    match destination {
        Destination::Stdout => {
            let bytes = render(true)?;
            let mut out = std::io::stdout().lock();
            match out.write_all(&bytes).and_then(|()| out.flush()) {
                // A reader that went away (`| head`) has all it wanted.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Output(e)),
                _ => Ok(()),
            }
        }
        Destination::Out(path) => {
            let bytes = render(true)?;
            replace(path, &bytes).map_err(|source| file_error(path, source))
        }
        Destination::Append(path) => {
            let fail = |source| file_error(path, source);
            let mut file = OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .map_err(fail)?;
            let at_start = file.metadata().map_err(fail)?.len() == 0;
            let bytes = render(at_start)?;
            file.write_all(&bytes)
                .and_then(|()| file.sync_data())
                .map_err(fail)
        }
    }
}

fn file_error(path: &Path, source: std::io::Error) -> Error {
    Error::OutputFile {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to a temporary file in `path`'s directory, then renames
/// it over `path`. An existing file's permissions are kept; a new file is
/// private (0600), as balances are.
fn replace(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_data()?;
    if let Ok(existing) = std::fs::metadata(path) {
        temp.as_file().set_permissions(existing.permissions())?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` with `bytes`, atomically, mode 0600, refusing to replace
/// an existing file unless `force`. Creates the directory.
pub fn create_private(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let fail = |source| file_error(path, source);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    temp.write_all(bytes).map_err(fail)?;
    temp.as_file().sync_data().map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    let persisted = if force {
        temp.persist(path)
    } else {
        temp.persist_noclobber(path)
    };
    match persisted {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::ConfigExists {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(fail(e.error)),
    }
}
