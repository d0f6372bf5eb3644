//! Where the rendered bytes go: stdout, a file replaced atomically
//! (`--out`), or the end of a file (`--append`, in one write). A file never
//! holds half an output: `--out` renames a complete file into place, and
//! `--append` adds the whole output or nothing.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
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

/// How a write ended.
#[derive(Debug, PartialEq)]
pub enum Written {
    Whole,
    /// Stdout's reader went away (`| head`): it has all it wanted, which
    /// is no failure.
    ReaderGone,
}

/// Writes the bytes `render` makes, whole. `render` is told whether the
/// output starts a file (header and byte order mark belong only there).
pub fn write(
    destination: &Destination,
    render: impl FnOnce(bool) -> Result<Vec<u8>>,
) -> Result<Written> {
    match destination {
        Destination::Stdout => {
            let bytes = render(true)?;
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
                Ok(()) => Ok(Written::Whole),
                Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(Written::ReaderGone),
                Err(e) => Err(Error::Output(e)),
            }
        }
        Destination::Out(path) => {
            let bytes = render(true)?;
            replace(path, |file| {
                file.write_all(&bytes).map_err(|e| file_error(path, e))
            })?;
            Ok(Written::Whole)
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
                .map_err(fail)?;
            Ok(Written::Whole)
        }
    }
}

fn file_error(path: &Path, source: std::io::Error) -> Error {
    Error::OutputFile {
        path: path.to_path_buf(),
        source,
    }
}

/// Has `fill` write a temporary file in `path`'s directory, then renames
/// it over `path`; on an error the temporary file is removed. An existing
/// file's permissions are kept; a new file is private (0600), as balances
/// are.
fn replace(path: &Path, fill: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<()> {
    let fail = |source| file_error(path, source);
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    fill(temp.as_file_mut())?;
    temp.as_file().sync_data().map_err(fail)?;
    if let Ok(existing) = std::fs::metadata(path) {
        temp.as_file()
            .set_permissions(existing.permissions())
            .map_err(fail)?;
    }
    temp.persist(path).map_err(|e| fail(e.error))?;
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
