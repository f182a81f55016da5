//! A private PostgreSQL cluster for development and tests, used when `DATABASE_URL` is unset.
//!
//! The cluster lives in a folder (by default `./.data/postgres`), is created with `initdb` on
//! first use and started with `pg_ctl`. It listens only on a Unix socket inside that folder
//! (`listen_addresses = ''`), so nothing else on the machine can reach it over TCP, and it is
//! stopped again when the value that started it is dropped. A cluster that is already running
//! (another instance, or an earlier test run) is reused and left running.
//!
//! PostgreSQL refuses to run as root; when we are root, its programs run as the `postgres`
//! system user, which then owns the folder.

use std::ffi::CString;
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::io::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use diesel::{Connection, PgConnection, RunQueryDsl};

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "DATABASE_URL is unset and PostgreSQL's server programs (initdb, pg_ctl) were not found ({searched}). \
         Install PostgreSQL 15 or newer (Debian/Ubuntu: `apt-get install postgresql`; Fedora: `dnf install postgresql-server`; \
         macOS: `brew install postgresql@16`), set POSTGRES_BIN_DIR to the folder holding initdb and pg_ctl, \
         or set DATABASE_URL to an existing server"
    )]
    NotInstalled { searched: String },
    #[error("the private PostgreSQL cluster in {dir}: {message}")]
    Failed { dir: String, message: String },
}

const SOCKET_NAME_MAX: usize = 107; // sun_path is 108 bytes with the NUL
const PORT: u16 = 5432; // only names the socket file; there is no TCP listener

pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    bin_dir: PathBuf,
    socket_dir: PathBuf,
    run_as: Option<(u32, u32)>,
    started_here: bool,
}

impl std::fmt::Debug for EmbeddedPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedPostgres").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

impl EmbeddedPostgres {
    /// Creates the cluster in `dir` if needed and makes sure it runs.
    pub fn start(dir: &Path) -> Result<Self, EmbeddedError> {
        let bin_dir = find_bin_dir()?;
        let fail = |message: String| EmbeddedError::Failed { dir: dir.display().to_string(), message };

        std::fs::create_dir_all(dir).map_err(|e| fail(format!("cannot create the folder: {e}")))?;
        let data_dir = dir.canonicalize().map_err(|e| fail(e.to_string()))?;
        let run_as = if unsafe { libc::geteuid() } == 0 { Some(postgres_user().map_err(fail)?) } else { None };

        // Two processes (say, two test binaries) may start the same cluster at once.
        let _lock =
            lock_file(&data_dir.with_extension("lock")).map_err(|e| fail(format!("cannot take the lock: {e}")))?;

        let socket_dir = socket_dir_for(&data_dir);
        let mut pg = EmbeddedPostgres { data_dir, bin_dir, socket_dir, run_as, started_here: false };
        if !pg.data_dir.join("PG_VERSION").exists() {
            pg.init().map_err(fail)?;
        }
        if !pg.is_running() {
            pg.prepare_socket_dir().map_err(fail)?;
            let log = pg.data_dir.join("postgres.log");
            let out = pg
                .pg_command("pg_ctl")
                .arg("start")
                .args(["-w", "-t", "60", "-D"])
                .arg(&pg.data_dir)
                .arg("-l")
                .arg(&log)
                .output()
                .map_err(|e| fail(format!("cannot run pg_ctl: {e}")))?;
            if !out.status.success() {
                let tail = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = tail.lines().rev().take(15).collect();
                return Err(fail(format!(
                    "pg_ctl start failed: {}\n{}",
                    describe(&out),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )));
            }
            pg.started_here = true;
            tracing::info!(dir = %pg.data_dir.display(), "started the private PostgreSQL cluster");
        }
        Ok(pg)
    }

    /// A connection URL for `dbname` over the cluster's Unix socket.
    pub fn url(&self, dbname: &str) -> String {
        format!("postgres://postgres@/{dbname}?host={}&port={PORT}", percent_encode(&self.socket_dir.to_string_lossy()))
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Creates `name` unless it exists.
    pub fn ensure_database(&self, name: &str) -> Result<(), EmbeddedError> {
        let fail = |message: String| EmbeddedError::Failed { dir: self.data_dir.display().to_string(), message };
        let mut conn = PgConnection::establish(&self.url("postgres")).map_err(|e| fail(e.to_string()))?;
        if !super::database_exists(&mut conn, name).map_err(|e| fail(e.to_string()))? {
            diesel::sql_query(format!("CREATE DATABASE {}", super::quote_ident(name)))
                .execute(&mut conn)
                .map_err(|e| fail(e.to_string()))?;
        }
        Ok(())
    }

    /// Leaves the cluster running when this value is dropped (tests reuse it across runs).
    pub fn keep_running(mut self) {
        self.started_here = false;
    }

    /// Stops the cluster if this value started it.
    pub fn stop(&mut self) {
        if !self.started_here {
            return;
        }
        self.started_here = false;
        let out =
            self.pg_command("pg_ctl").args(["stop", "-m", "fast", "-w", "-t", "60", "-D"]).arg(&self.data_dir).output();
        match out {
            Ok(o) if o.status.success() => {
                tracing::info!(dir = %self.data_dir.display(), "stopped the private PostgreSQL cluster")
            }
            Ok(o) => tracing::error!(output = %describe(&o), "pg_ctl stop failed"),
            Err(e) => tracing::error!(error = %e, "cannot run pg_ctl stop"),
        }
    }

    pub fn is_running(&self) -> bool {
        // pg_ctl status: 0 running, 3 not running, 4 no usable data directory.
        self.pg_command("pg_ctl").arg("status").arg("-D").arg(&self.data_dir).output().is_ok_and(|o| o.status.success())
    }

    fn init(&self) -> Result<(), String> {
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(&self.data_dir, Some(uid), Some(gid)).map_err(|e| format!("cannot chown: {e}"))?;
        }
        std::fs::set_permissions(&self.data_dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| e.to_string())?;
        let out = self
            .pg_command("initdb")
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"])
            .output()
            .map_err(|e| format!("cannot run initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!("initdb failed: {}", describe(&out)));
        }
        let conf = format!(
            "\n# Written by tollgate: a private cluster reachable only through its Unix socket.\n\
             listen_addresses = ''\n\
             unix_socket_directories = '{}'\n\
             max_connections = 300\n\
             shared_buffers = 128MB\n",
            self.socket_dir.to_string_lossy().replace('\'', "''")
        );
        use std::io::Write;
        std::fs::OpenOptions::new()
            .append(true)
            .open(self.data_dir.join("postgresql.conf"))
            .and_then(|mut f| f.write_all(conf.as_bytes()))
            .map_err(|e| format!("cannot write postgresql.conf: {e}"))?;
        tracing::info!(dir = %self.data_dir.display(), "created a private PostgreSQL cluster");
        Ok(())
    }

    fn prepare_socket_dir(&self) -> Result<(), String> {
        if self.socket_dir == self.data_dir {
            return Ok(());
        }
        std::fs::create_dir_all(&self.socket_dir)
            .map_err(|e| format!("cannot create {}: {e}", self.socket_dir.display()))?;
        std::fs::set_permissions(&self.socket_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(&self.socket_dir, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn pg_command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.stdin(Stdio::null()).current_dir(&self.data_dir).env("LC_ALL", "C").env_remove("PGDATA");
        // Own process group: a Ctrl-C in the terminal stops tollgate gracefully, which then
        // stops PostgreSQL, instead of both dying at once.
        cmd.process_group(0);
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn describe(out: &Output) -> String {
    format!(
        "{} {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

fn has_server_programs(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

/// `POSTGRES_BIN_DIR`, else `PATH`, else the usual install locations (newest version first).
fn find_bin_dir() -> Result<PathBuf, EmbeddedError> {
    if let Some(dir) = std::env::var_os("POSTGRES_BIN_DIR") {
        let dir = PathBuf::from(dir);
        return if has_server_programs(&dir) {
            Ok(dir)
        } else {
            Err(EmbeddedError::NotInstalled { searched: format!("POSTGRES_BIN_DIR={}", dir.display()) })
        };
    }
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has_server_programs(d)) {
            return Ok(dir);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = Vec::new();
    for root in ["/usr/lib/postgresql", "/usr/local/opt", "/opt/homebrew/opt", "/usr"] {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let version: Option<u32> = name
                .trim_start_matches("postgresql@")
                .trim_start_matches("pgsql-")
                .split('.')
                .next()
                .and_then(|v| v.parse().ok());
            let is_pg = root == "/usr/lib/postgresql" || name.starts_with("postgresql@") || name.starts_with("pgsql-");
            if let (true, Some(v)) = (is_pg, version) {
                candidates.push((v, entry.path().join("bin")));
            }
        }
    }
    candidates.push((0, PathBuf::from("/usr/local/pgsql/bin")));
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    candidates.into_iter().map(|(_, d)| d).find(|d| has_server_programs(d)).ok_or_else(|| EmbeddedError::NotInstalled {
        searched: "PATH, /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin, Homebrew, /usr/local/pgsql/bin".into(),
    })
}

/// The socket goes in the data folder when its path fits in `sun_path`; otherwise in a private
/// folder under /tmp named after the data folder.
fn socket_dir_for(data_dir: &Path) -> PathBuf {
    let socket = data_dir.join(format!(".s.PGSQL.{PORT}"));
    if socket.as_os_str().len() <= SOCKET_NAME_MAX {
        return data_dir.to_path_buf();
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data_dir.as_os_str().as_encoded_bytes());
    let tag: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join(format!("tollgate-pg-{tag}"))
}

fn postgres_user() -> Result<(u32, u32), String> {
    let name = CString::new("postgres").expect("no NUL");
    // SAFETY: getpwnam returns a pointer into static storage or NULL; we copy the two ids out
    // before any other call could overwrite it.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return Err("running as root, PostgreSQL must run as another user, and there is no 'postgres' user \
                    (create one, run tollgate as an ordinary user, or set DATABASE_URL)"
            .into());
    }
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok((uid, gid))
}

/// An exclusive advisory lock on a file, released when the file is closed.
fn lock_file(path: &Path) -> std::io::Result<File> {
    let f = File::create(path)?;
    // SAFETY: flock on a file descriptor we own.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(f)
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_paths_move_the_socket_to_tmp() {
        let short = Path::new("/srv/app/.data/postgres");
        assert_eq!(socket_dir_for(short), short);
        let long = PathBuf::from(format!("/srv/{}/postgres", "x".repeat(120)));
        let dir = socket_dir_for(&long);
        assert!(dir.starts_with(std::env::temp_dir()));
        assert_eq!(dir, socket_dir_for(&long), "stable across runs");
    }

    #[test]
    fn socket_paths_are_escaped_in_urls() {
        assert_eq!(percent_encode("/tmp/a b"), "/tmp/a%20b");
    }
}
