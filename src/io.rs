//! Output that never leaves a partial file behind: write to a temporary file
//! in the destination's directory, then rename over the destination.

use crate::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `path` atomically: `write` fills a temporary file next to it, which
/// is renamed to `path` only when `write` and the flush succeed. On error the
/// temporary file is removed and `path` is untouched.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.txt");
/// nabra::io::write_atomic(&path, |w| w.write_all(b"done")).unwrap();
/// assert_eq!(std::fs::read(&path).unwrap(), b"done");
/// let err = nabra::io::write_atomic(&path, |_| Err(std::io::Error::other("boom")));
/// assert!(err.is_err());
/// assert_eq!(std::fs::read(&path).unwrap(), b"done"); // untouched
/// ```
pub fn write_atomic<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let file = std::fs::File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}
