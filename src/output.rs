//! Where the rendered bytes go: stdout, a file replaced atomically
//! (`--out`), or the end of a file (`--append`, in one write). A file never
//! holds half an output: `--out` renames a complete file into place, and
//! `--append` adds the whole output or nothing.

use std::fs::OpenOptions;
use std::io::{BufWriter, ErrorKind, Write};
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

/// Writes the bytes `render` makes. `render` is told whether the output
/// starts a file (header and byte order mark belong only there).
pub fn write(
    destination: &Destination,
    render: impl FnOnce(bool) -> Result<Vec<u8>>,
) -> Result<()> {
    stream(destination, |at_start, out| {
        let bytes = render(at_start)?;
        out.write_all(&bytes).map_err(Error::Output)
    })
}

/// Lets `render` write straight to the destination, through a buffer, so a
/// large output is never held in memory whole: stdout as it is made, `--out`
/// into the temporary file that replaces the target only once complete.
/// `--append` alone collects it first, for its single write.
pub fn stream(
    destination: &Destination,
    render: impl FnOnce(bool, &mut dyn Write) -> Result<()>,
) -> Result<()> {
    match destination {
        Destination::Stdout => match buffered(std::io::stdout().lock(), render) {
            // A reader that went away (`| head`) has all it wanted.
            (_, Some(e)) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
            (Err(_), Some(e)) => Err(Error::Output(e)),
            (result, _) => result,
        },
        Destination::Out(path) => replace(path, |file| match buffered(file, render) {
            (Err(_), Some(e)) => Err(file_error(path, e)),
            (result, _) => result,
        }),
        Destination::Append(path) => {
            let fail = |source| file_error(path, source);
            let mut file = OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .map_err(fail)?;
            let at_start = file.metadata().map_err(fail)?.len() == 0;
            let mut bytes = Vec::new();
            render(at_start, &mut bytes)?;
            file.write_all(&bytes)
                .and_then(|()| file.sync_data())
                .map_err(fail)
        }
    }
}

/// Has `render` write to `inner` through the write buffer, then flushes:
/// the result, and the first I/O error if one was met on the way.
fn buffered(
    inner: impl Write,
    render: impl FnOnce(bool, &mut dyn Write) -> Result<()>,
) -> (Result<()>, Option<std::io::Error>) {
    let mut out = Sink::new(BufWriter::with_capacity(BUFFER, inner));
    let result = render(true, &mut out).and_then(|()| out.flush().map_err(Error::Output));
    (result, out.failed)
}

/// The write buffer: large enough that a big output goes out in few system
/// calls, small enough to stay in cache. (The renderers write a block of
/// rows at a time; a block larger than this passes straight through.)
const BUFFER: usize = 64 * 1024;

/// A writer that remembers its first error. Renderers' own error types
/// (csv's, for one) hide a broken pipe or a full disk inside their own
/// error; this sees it as it happens.
struct Sink<W> {
    inner: W,
    failed: Option<std::io::Error>,
}

impl<W: Write> Sink<W> {
    fn new(inner: W) -> Self {
        Sink {
            inner,
            failed: None,
        }
    }

    fn note<T>(&mut self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &result
            && self.failed.is_none()
        {
            // The same error again (the system's own message when it has
            // one), as the original goes back to the renderer.
            self.failed = Some(match e.raw_os_error() {
                Some(code) => std::io::Error::from_raw_os_error(code),
                None => std::io::Error::new(e.kind(), e.to_string()),
            });
        }
        result
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let result = self.inner.write(buf);
        self.note(result)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let result = self.inner.write_all(buf);
        self.note(result)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let result = self.inner.flush();
        self.note(result)
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
