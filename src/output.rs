//! Where the rendered bytes go: stdout, a file replaced atomically
//! (`--out`), or the end of a file (`--append`). A file never holds half
//! an output: `--out` renames a complete file into place, and `--append`
//! adds the whole output or, on failure, takes back what it wrote.

use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::lock;
use crate::signals;
use crate::text::{clip, sanitize};

#[derive(Debug, Clone)]
pub enum Destination {
    Stdout,
    /// Replace the file atomically: a temporary file beside it, renamed.
    Out(PathBuf),
    /// Add to the end of the file.
    Append(PathBuf),
}

impl Destination {
    /// Where `--out` or `--append` (or neither) send the output. The names
    /// of this process's own stdout are stdout: written to through the one
    /// descriptor, where the output has got to.
    pub fn new(out: Option<&Path>, append: Option<&Path>) -> Destination {
        let is_stdout = |path: &Path| {
            ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "-"]
                .iter()
                .any(|n| path == Path::new(n))
        };
        match (out, append) {
            (Some(path), _) | (None, Some(path)) if is_stdout(path) => Destination::Stdout,
            (Some(path), _) => Destination::Out(path.to_owned()),
            (None, Some(path)) => Destination::Append(path.to_owned()),
            (None, None) => Destination::Stdout,
        }
    }
}

/// A run's output: `head` belongs only at the start of a file (a byte
/// order mark, the CSV header line), `body` is the rest; `kind` says what
/// a file it is appended to must already hold.
#[derive(Debug, Default)]
pub struct Document {
    pub head: Vec<u8>,
    pub body: Vec<u8>,
    pub kind: Kind,
}

/// The kind of lines a run appends, which a file must already hold.
#[derive(Debug, Default)]
pub enum Kind {
    /// CSV under this header line (whether or not the run writes it),
    /// its fields split by `delimiter`.
    Csv { header: Vec<u8>, delimiter: u8 },
    /// One JSON object a line.
    JsonLines,
    /// Prometheus text for node_exporter's textfile collector, which
    /// runs as a user of its own: a new file is readable by others.
    Metrics,
    /// Never appended (a table, JSON: refused before).
    #[default]
    Other,
}

impl Document {
    /// Head and body together, as a file that starts with them holds them.
    pub fn whole(&self) -> Vec<u8> {
        [self.head.as_slice(), &self.body].concat()
    }
}

/// How a write ended.
#[derive(Debug, PartialEq)]
pub enum Written {
    Whole,
    /// Stdout's reader went away (`| head`): it has all it wanted, which
    /// is no failure.
    ReaderGone,
}

/// Writes a run's output to its destination.
/// `waiting` shows the line that says an append waits for a lock.
pub fn write(destination: &Destination, doc: &Document, waiting: &dyn Fn(&str)) -> Result<Written> {
    match destination {
        Destination::Stdout => print_parts(&[&doc.head, &doc.body]),
        Destination::Out(path) => {
            let new_mode = match doc.kind {
                Kind::Metrics => 0o644,
                _ => 0o600,
            };
            replace(path, &doc.whole(), new_mode)?;
            Ok(Written::Whole)
        }
        Destination::Append(path) => {
            append(path, doc, waiting)?;
            Ok(Written::Whole)
        }
    }
}

/// Writes `bytes` to stdout in one go.
pub fn print(bytes: &[u8]) -> Result<Written> {
    print_parts(&[bytes])
}

fn print_parts(parts: &[&[u8]]) -> Result<Written> {
    let mut stdout = io::stdout().lock();
    let written = parts
        .iter()
        .try_for_each(|part| stdout.write_all(part))
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => Ok(Written::Whole),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(Written::ReaderGone),
        Err(e) => Err(Error::Output(explain(e))),
    }
}

/// The system's words for a write past the file size limit ("File too
/// large") do not say which limit: this run's, set by `ulimit -f`.
fn explain(e: io::Error) -> io::Error {
    if e.kind() == ErrorKind::FileTooLarge {
        io::Error::new(
            e.kind(),
            "the file size limit (ulimit -f) stopped the write",
        )
    } else {
        e
    }
}

/// An error about the file the user named. The system's own words are
/// kept, but not the context tempfile adds (the temporary file's name,
/// which the user never chose).
fn file_error(path: &Path, source: io::Error) -> Error {
    let dir = parent_dir(path);
    if source.kind() == ErrorKind::NotFound && !dir.exists() {
        return Error::OutputDir {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
        };
    }
    // The folder, not the file, refused (a temporary file or a new file
    // is made there): name the folder, which the user must fix.
    if source.kind() == ErrorKind::PermissionDenied
        && rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_err()
    {
        return Error::OutputDirDenied {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
        };
    }
    let source = explain(source);
    let text = source.to_string();
    let source = match text.find(" at path \"") {
        Some(at) => io::Error::new(source.kind(), &text[..at]),
        None => source,
    };
    Error::OutputFile {
        path: path.to_path_buf(),
        source,
    }
}

/// `--out`: `bytes` in place of the file at `path`, atomically: written to
/// a temporary file beside it, then renamed over it. A symbolic link stays
/// and the file it points to is replaced; a FIFO or a device is written
/// into, never replaced. An existing file's permission bits are kept (not
/// set-uid, set-gid or sticky); a new file gets `new_mode`, whatever the
/// umask.
fn replace(path: &Path, bytes: &[u8], new_mode: u32) -> Result<()> {
    let fail = |source| file_error(path, source);
    let (target, through_system) = follow_links(path).map_err(fail)?;
    let existing = std::fs::metadata(&target).ok();
    // A FIFO or a device is written into. So is anything reached through
    // /dev or /proc (/dev/stderr, /proc/self/fd/3), even a regular file: it
    // is one of this process's own descriptors, not a file to replace.
    // Appending writes where that output has got to. (Stdout's own names
    // never get here: they are stdout, see config.)
    if through_system || existing.as_ref().is_some_and(|meta| !meta.is_file()) {
        return write_into(&target, bytes).map_err(fail);
    }
    let mode = existing.map_or(new_mode, |meta| meta.permissions().mode() & 0o777);
    put_in_place(&target, bytes, mode, true).map_err(fail)
}

/// `bytes` as the file `target` with permission bits `mode`: written to a
/// temporary file beside it, synced, and renamed over it (only where
/// there is none, unless `overwrite`). Finished whatever signal comes:
/// the old file or the new one stays, never a temporary file.
fn put_in_place(target: &Path, bytes: &[u8], mode: u32, overwrite: bool) -> io::Result<()> {
    signals::finish(|| {
        let mut temp = tempfile::Builder::new()
            .prefix(".btcturk-bal-")
            .tempfile_in(parent_dir(target))?;
        temp.write_all(bytes)?;
        temp.as_file().sync_data()?;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
        signals::test_hold("out");
        let placed = if overwrite {
            temp.persist(target)
        } else {
            temp.persist_noclobber(target)
        };
        placed.map(drop).map_err(|e| e.error)
    })
}

/// Writes `bytes` into a FIFO, a device or one of this process's own
/// descriptors (/dev/stderr), where its output has got to. A FIFO that no
/// process reads is refused at once, not waited on for ever (a cron job
/// would hang); once open, writes wait for a slow reader as usual.
fn write_into(target: &Path, bytes: &[u8]) -> io::Result<()> {
    use rustix::fs::OFlags;
    let nonblocking = i32::try_from(OFlags::NONBLOCK.bits()).unwrap_or(0);
    let mut file = OpenOptions::new()
        .append(true)
        .custom_flags(nonblocking)
        .open(target)
        .map_err(|e| {
            if e.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) {
                io::Error::new(e.kind(), "it is a FIFO that no process is reading")
            } else {
                e
            }
        })?;
    rustix::io::ioctl_fionbio(&file, false)?;
    file.write_all(bytes)
}

/// The path a chain of symbolic links ends at (which need not exist), and
/// whether the chain passed through /dev or /proc (as /dev/stdout does).
fn follow_links(path: &Path) -> io::Result<(PathBuf, bool)> {
    let system = |p: &Path| p.starts_with("/dev") || p.starts_with("/proc");
    let mut path = path.to_path_buf();
    let mut through_system = system(&path);
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
                through_system |= system(&path);
            }
            _ => return Ok((path, through_system)),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// `--append`: `doc` added to the end of the file at `path` (created
/// 0600), under an advisory lock, so that runs from cron that overlap
/// write one at a time and the header only once. A file that already
/// holds rows gets no second header, and must begin with the header this
/// run would write; if its last line has no newline, one is added first.
/// A write that fails (disk full, the file size limit) is taken back; a
/// signal waits for the write to end.
fn append(path: &Path, doc: &Document, waiting: &dyn Fn(&str)) -> Result<()> {
    let fail = |source| file_error(path, source);
    // A FIFO or a device (/dev/null) has no start, end or lock: the whole
    // output is written into it, as for --out.
    if std::fs::metadata(path).is_ok_and(|meta| !meta.is_file()) {
        return write_into(path, &doc.whole()).map_err(fail);
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(fail)?;
    lock::take(&file, path, true, waiting)?;
    let len = file.metadata().map_err(fail)?.len();
    let mut bytes = Vec::with_capacity(doc.head.len() + doc.body.len() + 1);
    if len == 0 {
        bytes.extend_from_slice(&doc.head);
    } else {
        check_kind(&file, path, &doc.kind)?;
        let mut last = [0];
        file.read_exact_at(&mut last, len - 1).map_err(fail)?;
        if last != *b"\n" {
            bytes.push(b'\n');
        }
    }
    bytes.extend_from_slice(&doc.body);
    // Finished whatever signal comes: a half row would glue onto the next
    // run's. Written in two parts, so that a test can stop it between them.
    signals::finish(|| {
        let (first, rest) = bytes.split_at(bytes.len() / 2);
        let written = file.write_all(first).and_then(|()| {
            signals::test_hold("append");
            file.write_all(rest)
        });
        if let Err(e) = written.and_then(|()| file.sync_data()) {
            // Taken back: the file is as it was.
            let _ = file.set_len(len);
            return Err(fail(e));
        }
        Ok(())
    })
}

/// A file's first line without its byte order mark and line end.
fn first_line(start: &[u8]) -> &[u8] {
    let start = crate::text::strip_bom(start);
    let end = start
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(start.len());
    start[..end].strip_suffix(b"\r").unwrap_or(&start[..end])
}

/// The number of fields of one CSV line.
fn fields(line: &[u8], delimiter: u8) -> usize {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_reader(line)
        .records()
        .next()
        .and_then(|r| r.ok())
        .map_or(0, |r| r.len())
}

/// Refuses to append lines of another kind than the file holds (JSON
/// Lines onto CSV, CSV onto JSON Lines) or CSV under other columns or
/// another delimiter, header or not: a file of mixed lines cannot be read
/// back.
fn check_kind(file: &File, path: &Path, kind: &Kind) -> Result<()> {
    let mut start = vec![0; 64 * 1024];
    let n = file
        .read_at(&mut start, 0)
        .map_err(|e| file_error(path, e))?;
    let theirs = first_line(&start[..n]);
    let shown = |line: &[u8]| sanitize(&clip(&String::from_utf8_lossy(line), 300));
    let json_lines = theirs.starts_with(b"{");
    let (file_holds, run_writes) = match kind {
        Kind::Other | Kind::Metrics => return Ok(()),
        Kind::JsonLines if json_lines => return Ok(()),
        Kind::JsonLines => (
            format!("begins with `{}`, not JSON Lines", shown(theirs)),
            "JSON Lines".to_owned(),
        ),
        Kind::Csv { header, .. } if theirs == header.as_slice() => return Ok(()),
        Kind::Csv { header, .. } if json_lines => (
            "holds JSON Lines".to_owned(),
            format!("CSV under the header `{}`", shown(header)),
        ),
        Kind::Csv { header, .. } if theirs.starts_with(b"fetched_at") => (
            format!("begins with the header `{}`", shown(theirs)),
            format!("`{}`", shown(header)),
        ),
        // Rows written with --no-header: as many fields as the header has.
        Kind::Csv { header, delimiter } => {
            let (file, run) = (fields(theirs, *delimiter), fields(header, *delimiter));
            if file == run {
                return Ok(());
            }
            (
                format!("holds rows of {file} fields"),
                format!("{run} columns (`{}`)", shown(header)),
            )
        }
    };
    Err(Error::AppendMismatch {
        path: path.to_path_buf(),
        file: file_holds,
        run: run_writes,
    })
}

/// The directory a file is in: a bare file name's is the current one,
/// not "".
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Creates `dir` and its missing parents, each 0700.
fn create_private_dirs(dir: &Path) -> io::Result<()> {
    // A relative path's last ancestor is "", the current directory.
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
        .collect();
    for d in missing.into_iter().rev() {
        std::fs::create_dir(d)?;
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates `path` with `bytes`, atomically, mode 0600, refusing to replace
/// an existing file unless `force`. Creates the directories missing on the
/// way, 0700 whatever the umask.
pub fn create_private(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let fail = |source| file_error(path, source);
    let dir = parent_dir(path);
    create_private_dirs(dir).map_err(fail)?;
    match put_in_place(path, bytes, 0o600, force) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Err(Error::ConfigExists {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(fail(e)),
    }
}
