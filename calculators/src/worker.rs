//! Plugins out of process: each plugin library is hosted by worker
//! processes, so that a crash, an abort, an allocation past the memory limit
//! or an endless loop ends only a worker, never the service.
//!
//! # The two sides
//!
//! - The **worker** is `PROGRAM plugin-worker LIBRARY` ([`run`] is its whole
//!   logic; `cruscotto plugin-worker` and the small `cruscotto-plugin-worker`
//!   binary of this crate both call it). It loads the library with the
//!   in-process loader, answers with the descriptor (or the load error),
//!   then serves computations one at a time on its main thread until its
//!   standard input closes.
//! - The **host** ([`WorkerPlugin`], used by the registry) starts workers
//!   with a memory limit (`RLIMIT_AS`, set between `fork` and `exec`), sends
//!   each computation to an idle worker (starting one when none is idle),
//!   and waits at most the timeout. On expiry it kills the worker's process
//!   group (`SIGKILL`), so nothing keeps running; when the worker dies it
//!   reads the cause from the exit status (the signal) and from the worker's
//!   standard error (the allocation failure that Rust's allocator reports
//!   before aborting, which means the memory limit). Either way the worker
//!   is discarded and the next computation starts a new one.
//!
//! # Wire format (over the worker's stdin/stdout)
//!
//! A frame is a little-endian `u64` length followed by that many bytes.
//!
//! 1. Worker → host, once: the 16 bytes of `MAGIC`, then a frame holding
//!    the JSON of `Result<Descriptor, LoadErrorKind>`.
//! 2. Host → worker, per computation: a frame holding the JSON of
//!    `Request` (period, params, number of payment rows or null), then, when
//!    there are payments, the five columns as raw native-endian arrays
//!    (`amount_cents` i64, `invoice_date`, `due_date`, `payment_date`,
//!    `suspended_days` i32): 24 bytes a row, written straight from the
//!    table's buffers and read straight into the worker's (both ends are the
//!    same machine).
//! 3. Worker → host: a frame holding the JSON of
//!    `Result<CalcResult, CalculatorError>`.
//!
//! The worker moves its protocol pipes off file descriptors 0 and 1 before
//! loading the library (stdin becomes `/dev/null`, stdout goes to stderr),
//! so a plugin that prints cannot corrupt the protocol. Frames from a worker
//! are bounded (`MAX_FRAME`), so a broken worker cannot make the host
//! allocate without limit.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::contract::{CalcResult, Calculator, CalculatorError, Descriptor};
use crate::inputs::{Inputs, PaymentTable};
use crate::period::Period;
use crate::plugin::LoadErrorKind;

/// The subcommand (first argument) a worker program is started with.
pub const WORKER_SUBCOMMAND: &str = "plugin-worker";

/// What a worker writes first, so that the host recognises a worker (and
/// not, say, a program that was named by mistake).
const MAGIC: &[u8; 16] = b"cruscotto-wrk-1\n";

/// The largest frame the host accepts from a worker (a result is a few
/// hundred bytes; diagnostics may add some).
const MAX_FRAME: u64 = 16 << 20;

/// Idle workers kept per plugin; more are stopped when they finish.
const MAX_IDLE: usize = 2;

/// The most workers one plugin may run at once. Further computations wait
/// for a free worker, within the computation's time limit, so a burst of
/// requests cannot start an unbounded number of processes (each allowed the
/// full memory limit).
const MAX_RUNNING: usize = 4;

/// How long a worker may take to start and load its library, at least
/// (the computation timeout applies when it is longer).
const MIN_LOAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Lines of a worker's standard error kept to explain its end.
const STDERR_TAIL: usize = 32;

/// One computation, as the host sends it.
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    period: Period,
    params: serde_json::Value,
    /// Rows of the payment table that follows, or `None` for no table.
    rows: Option<u64>,
}

// ---- the worker side -------------------------------------------------------

/// The worker's whole life: `PROGRAM plugin-worker LIBRARY` calls this
/// with `LIBRARY`. It never returns an error to the caller: whatever goes
/// wrong is told to the host through the protocol or the exit status.
pub fn run(library: &Path) -> ExitCode {
    match serve(library) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plugin worker for {}: {e}", library.display());
            ExitCode::FAILURE
        }
    }
}

fn serve(library: &Path) -> io::Result<()> {
    let (mut input, mut output) = protocol_pipes()?;
    output.write_all(MAGIC)?;
    output.flush()?;
    // The timeout is the host's business: this process is killed on expiry.
    let loaded = crate::plugin::open(library, Duration::MAX);
    let hello: Result<Descriptor, LoadErrorKind> = loaded
        .as_ref()
        .map(|c| c.descriptor().clone())
        .map_err(Clone::clone);
    write_frame(&mut output, &serde_json::to_vec(&hello)?)?;
    output.flush()?;
    let Ok(calculator) = loaded else {
        return Ok(());
    };
    loop {
        let header = match read_frame(&mut input, u64::MAX) {
            Ok(h) => h,
            // The host closed the pipe: nothing more to do.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        };
        let request: Request = serde_json::from_slice(&header)?;
        let payments = match request.rows {
            None => None,
            Some(rows) => Some(read_table(&mut input, rows)?),
        };
        let inputs = Inputs {
            payments,
            ..Inputs::default()
        };
        let result = calculator.compute_on_this_thread(&inputs, &request.period, &request.params);
        drop(inputs);
        write_frame(&mut output, &serde_json::to_vec(&result)?)?;
        output.flush()?;
    }
}

/// Moves the protocol off descriptors 0 and 1: returns the original stdin
/// and stdout as files, and leaves `/dev/null` on 0 and stderr on 1.
fn protocol_pipes() -> io::Result<(File, File)> {
    use std::os::fd::FromRawFd;
    let dup = |fd: i32| -> io::Result<File> {
        // SAFETY: duplicating a descriptor this process owns; the new one is
        // owned by the returned File alone.
        let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 3) };
        if new < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `new` is a fresh descriptor nobody else owns.
        Ok(unsafe { File::from_raw_fd(new) })
    };
    let input = dup(0)?;
    let output = dup(1)?;
    let null = File::open("/dev/null")?;
    for (from, to) in [(std::os::fd::AsRawFd::as_raw_fd(&null), 0), (2, 1)] {
        // SAFETY: dup2 on descriptors of this process; 0 and 1 keep being
        // valid descriptors (now /dev/null and stderr).
        if unsafe { libc::dup2(from, to) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok((input, output))
}

fn read_table(input: &mut impl Read, rows: u64) -> io::Result<PaymentTable> {
    let n = usize::try_from(rows).map_err(|_| io::Error::other("too many rows"))?;
    let amount_cents: Vec<i64> = read_column(input, n)?;
    let invoice_date: Vec<i32> = read_column(input, n)?;
    let due_date: Vec<i32> = read_column(input, n)?;
    let payment_date: Vec<i32> = read_column(input, n)?;
    let suspended_days: Vec<i32> = read_column(input, n)?;
    PaymentTable::from_columns(
        amount_cents,
        invoice_date,
        due_date,
        payment_date,
        suspended_days,
    )
    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

/// Plain integers, whose every bit pattern is a valid value.
trait Plain: Copy + Default {}
impl Plain for i64 {}
impl Plain for i32 {}

fn as_bytes<T: Plain>(values: &[T]) -> &[u8] {
    // SAFETY: `T` is a plain integer without padding; any initialised
    // integer slice can be viewed as its bytes.
    unsafe { std::slice::from_raw_parts(values.as_ptr().cast(), std::mem::size_of_val(values)) }
}

fn read_column<T: Plain>(input: &mut impl Read, n: usize) -> io::Result<Vec<T>> {
    let mut values = vec![T::default(); n];
    let len = std::mem::size_of_val(values.as_slice());
    // SAFETY: as in `as_bytes`; every byte pattern written is a valid `T`.
    let bytes = unsafe { std::slice::from_raw_parts_mut(values.as_mut_ptr().cast::<u8>(), len) };
    input.read_exact(bytes)?;
    Ok(values)
}

fn write_frame(output: &mut impl Write, payload: &[u8]) -> io::Result<()> {
    output.write_all(&(payload.len() as u64).to_le_bytes())?;
    output.write_all(payload)
}

fn read_frame(input: &mut impl Read, max: u64) -> io::Result<Vec<u8>> {
    let mut len = [0u8; 8];
    input.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len);
    if len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a frame of {len} bytes is over the limit of {max}"),
        ));
    }
    let mut payload = vec![0u8; len as usize];
    input.read_exact(&mut payload)?;
    Ok(payload)
}

// ---- the host side ---------------------------------------------------------

/// How the host starts workers; shared by every plugin of a registry.
pub(crate) struct Launcher {
    program: PathBuf,
    memory_limit_mb: u64,
    timeout: Duration,
    /// Workers are started by one long-lived thread, because the kernel
    /// kills a worker (`PR_SET_PDEATHSIG`) when the thread that started it
    /// ends: that must be when the registry goes, not when some short-lived
    /// request thread does.
    spawner: Mutex<mpsc::Sender<(Command, mpsc::Sender<io::Result<Child>>)>>,
}

impl std::fmt::Debug for Launcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Launcher")
            .field("program", &self.program)
            .field("memory_limit_mb", &self.memory_limit_mb)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Launcher {
    pub(crate) fn new(
        program: PathBuf,
        memory_limit_mb: u64,
        timeout: Duration,
    ) -> Result<Self, String> {
        let (tx, rx) = mpsc::channel::<(Command, mpsc::Sender<io::Result<Child>>)>();
        std::thread::Builder::new()
            .name("plugin-worker-spawner".into())
            .spawn(move || {
                for (mut command, reply) in rx {
                    let _ = reply.send(command.spawn());
                }
            })
            .map_err(|e| format!("no thread could be started to start plugin workers: {e}"))?;
        Ok(Launcher {
            program,
            memory_limit_mb,
            timeout,
            spawner: Mutex::new(tx),
        })
    }

    fn load_timeout(&self) -> Duration {
        self.timeout.max(MIN_LOAD_TIMEOUT)
    }

    /// Starts a worker for `library` and reads its answer.
    fn start(&self, library: &Path) -> Result<(Worker, Result<Descriptor, LoadErrorKind>), String> {
        let mut command = Command::new(&self.program);
        command
            .arg(WORKER_SUBCOMMAND)
            .arg(library)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let limit = self.memory_limit_mb.saturating_mul(1 << 20);
        // SAFETY: the closure runs between fork and exec and only makes
        // async-signal-safe system calls, touching no memory of the parent.
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(move || {
                let rlimit = libc::rlimit {
                    rlim_cur: limit as libc::rlim_t,
                    rlim_max: limit as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &rlimit) != 0 {
                    return Err(io::Error::last_os_error());
                }
                // Its own process group, so that killing it also kills
                // whatever the plugin may have started.
                if libc::setpgid(0, 0) != 0 {
                    return Err(io::Error::last_os_error());
                }
                #[cfg(target_os = "linux")]
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let (reply_tx, reply_rx) = mpsc::channel();
        self.spawner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send((command, reply_tx))
            .map_err(|_| "the thread that starts workers is gone".to_string())?;
        let mut child = reply_rx
            .recv()
            .map_err(|_| "the thread that starts workers is gone".to_string())?
            .map_err(|e| format!("cannot start {}: {e}", self.program.display()))?;
        let label = library
            .file_name()
            .unwrap_or(library.as_os_str())
            .to_string_lossy()
            .into_owned();
        let (Some(stderr), Some(stdin), Some(stdout)) =
            (child.stderr.take(), child.stdin.take(), child.stdout.take())
        else {
            unreachable!("the worker's standard streams are piped above");
        };
        // A worker whose threads cannot start is stopped, and the request
        // that needed it gets the reason.
        let threads = StderrTail::follow(stderr, label, child.id())
            .and_then(|tail| Ok((tail, io_thread(stdin, stdout)?)));
        let (stderr, (jobs, replies)) = match threads {
            Ok(started) => started,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "no thread could be started to talk to its worker: {e}"
                ));
            }
        };
        let mut worker = Worker {
            child,
            jobs: Some(jobs),
            replies,
            stderr,
            memory_limit_mb: self.memory_limit_mb,
            exited: None,
        };
        match worker.wait_reply(self.load_timeout()) {
            Reply::Frame(bytes) => match serde_json::from_slice(&bytes) {
                Ok(hello) => Ok((worker, hello)),
                Err(e) => {
                    worker.stop();
                    Err(format!("the worker's answer does not parse: {e}"))
                }
            },
            Reply::TimedOut => {
                worker.stop();
                Err(format!(
                    "it did not answer within {} ms",
                    self.load_timeout().as_millis()
                ))
            }
            Reply::Ended(e) => Err(worker.cause_of_end(&e)),
        }
    }
}

/// One job for a worker's I/O thread: the request header and the table.
struct Job {
    header: Vec<u8>,
    payments: Option<PaymentTable>,
}

/// The jobs sent to a worker's I/O thread and the frames it reads back.
type Pipes = (mpsc::Sender<Job>, mpsc::Receiver<io::Result<Vec<u8>>>);

/// The thread that talks to one worker: first it reads the greeting, then
/// for each job it writes the request and reads the answer. It ends (and
/// closes the worker's stdin, which makes an idle worker exit) when the job
/// sender is dropped or the pipe breaks.
fn io_thread(mut stdin: ChildStdin, stdout: ChildStdout) -> io::Result<Pipes> {
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let (reply_tx, reply_rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("plugin-worker-io".into())
        .spawn(move || {
            let mut stdout = BufReader::new(stdout);
            let greeting = (|| {
                let mut magic = [0u8; 16];
                stdout.read_exact(&mut magic)?;
                if &magic != MAGIC {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the program did not answer as a cruscotto plugin worker",
                    ));
                }
                read_frame(&mut stdout, MAX_FRAME)
            })();
            let ok = greeting.is_ok();
            if reply_tx.send(greeting).is_err() || !ok {
                return;
            }
            for job in job_rx {
                let answer = send_job(&mut stdin, &job).and_then(|()| {
                    drop(job);
                    read_frame(&mut stdout, MAX_FRAME)
                });
                let ok = answer.is_ok();
                if reply_tx.send(answer).is_err() || !ok {
                    return;
                }
            }
        })?;
    Ok((job_tx, reply_rx))
}

fn send_job(stdin: &mut ChildStdin, job: &Job) -> io::Result<()> {
    write_frame(stdin, &job.header)?;
    if let Some(table) = &job.payments {
        let c = table.columns();
        stdin.write_all(as_bytes(c.amount_cents))?;
        for column in [c.invoice_date, c.due_date, c.payment_date, c.suspended_days] {
            stdin.write_all(as_bytes(column))?;
        }
    }
    stdin.flush()
}

/// The last lines a worker wrote to its standard error (each also logged),
/// the first allocation failure it reported (kept however many lines
/// follow it: with `RUST_BACKTRACE` set, a backtrace of more lines than the
/// tail holds comes after the message), and whether it has closed it.
struct StderrTail {
    state: Mutex<TailState>,
    closed: Condvar,
}

#[derive(Default)]
struct TailState {
    lines: VecDeque<String>,
    allocation_failure: Option<String>,
    closed: bool,
}

impl StderrTail {
    fn follow(stderr: std::process::ChildStderr, label: String, pid: u32) -> io::Result<Arc<Self>> {
        let tail = Arc::new(StderrTail {
            state: Mutex::new(TailState::default()),
            closed: Condvar::new(),
        });
        let t = tail.clone();
        std::thread::Builder::new()
            .name("plugin-worker-stderr".into())
            .spawn(move || {
                let mut reader = BufReader::new(stderr);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    // A line longer than this is cut (the rest follows as more lines).
                    match (&mut reader).take(4096).read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let text = String::from_utf8_lossy(&line).trim_end().to_string();
                            tracing::info!(library = %label, pid, "plugin worker stderr: {text}");
                            let mut state = t.state.lock().unwrap_or_else(|e| e.into_inner());
                            if state.allocation_failure.is_none() && is_allocation_failure(&text) {
                                state.allocation_failure = Some(text.clone());
                            }
                            if state.lines.len() == STDERR_TAIL {
                                state.lines.pop_front();
                            }
                            state.lines.push_back(text);
                        }
                    }
                }
                t.state.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
                t.closed.notify_all();
            })?;
        Ok(tail)
    }

    /// The kept lines, once the worker has closed its stderr (or after
    /// `wait`, if something else keeps it open), led by the allocation
    /// failure when it has scrolled out of the tail.
    fn lines(&self, wait: Duration) -> Vec<String> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (state, _) = self
            .closed
            .wait_timeout_while(state, wait, |s| !s.closed)
            .unwrap_or_else(|e| e.into_inner());
        let mut lines: Vec<String> = state.lines.iter().cloned().collect();
        if let Some(failure) = &state.allocation_failure {
            if !lines.contains(failure) {
                lines.insert(0, failure.clone());
            }
        }
        lines
    }
}

enum Reply {
    Frame(Vec<u8>),
    TimedOut,
    /// The pipe broke, closed, or carried something that is not the
    /// protocol.
    Ended(io::Error),
}

/// One worker process and the threads that talk to it.
struct Worker {
    child: Child,
    jobs: Option<mpsc::Sender<Job>>,
    replies: mpsc::Receiver<io::Result<Vec<u8>>>,
    stderr: Arc<StderrTail>,
    memory_limit_mb: u64,
    /// Set once the process is reaped.
    exited: Option<ExitStatus>,
}

impl Worker {
    fn wait_reply(&self, timeout: Duration) -> Reply {
        match self.replies.recv_timeout(timeout) {
            Ok(Ok(frame)) => Reply::Frame(frame),
            Ok(Err(e)) => Reply::Ended(e),
            Err(mpsc::RecvTimeoutError::Timeout) => Reply::TimedOut,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Reply::Ended(io::Error::other("the worker's I/O thread ended"))
            }
        }
    }

    fn exchange(&self, job: Job, timeout: Duration) -> Reply {
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        if !sent {
            return Reply::Ended(io::Error::other("the worker's I/O thread ended"));
        }
        self.wait_reply(timeout)
    }

    /// Kills the worker's process group and reaps the worker.
    fn stop(&mut self) {
        self.jobs = None;
        if self.exited.is_some() {
            return;
        }
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: signalling the process group this worker leads; it is
            // not reaped yet, so the id cannot have been reused.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        self.exited = self.child.wait().ok();
    }

    /// Why the worker ended (it is reaped here): its exit status and, for
    /// an allocation failure, the memory limit.
    fn cause_of_end(&mut self, error: &io::Error) -> String {
        self.jobs = None;
        // A worker that breaks its pipe is normally dying; give it a moment
        // to finish, then stop it anyway.
        let deadline = Instant::now() + Duration::from_secs(2);
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                _ => break None,
            }
        };
        let Some(status) = status else {
            self.stop();
            return format!("its worker process broke the protocol ({error}) and was stopped");
        };
        self.exited = Some(status);
        let lines = self.stderr.lines(Duration::from_secs(1));
        describe_end(status, &lines, self.memory_limit_mb)
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Out-of-memory messages of Rust's allocator (`memory allocation of N
/// bytes failed`) and of C++'s (`std::bad_alloc`).
fn is_allocation_failure(line: &str) -> bool {
    (line.contains("memory allocation of") && line.contains("failed")) || line.contains("bad_alloc")
}

fn describe_end(status: ExitStatus, stderr: &[String], memory_limit_mb: u64) -> String {
    use std::os::unix::process::ExitStatusExt;
    if stderr.iter().any(|l| is_allocation_failure(l)) {
        return format!(
            "it exceeded the memory limit of {memory_limit_mb} MB (its worker process could not allocate and was stopped)"
        );
    }
    match (status.signal(), status.code()) {
        (Some(signal), _) => format!("its worker process was killed by {}", signal_name(signal)),
        (None, Some(code)) => {
            let last = stderr.last().map_or(String::new(), |l| format!(": {l}"));
            format!("its worker process exited with status {code}{last}")
        }
        (None, None) => format!("its worker process ended ({status})"),
    }
}

/// `SIGSEGV (invalid memory reference)` and the like.
fn signal_name(signal: i32) -> String {
    let known = [
        (libc::SIGSEGV, "SIGSEGV", "invalid memory reference"),
        (libc::SIGABRT, "SIGABRT", "abort"),
        (libc::SIGBUS, "SIGBUS", "bus error"),
        (libc::SIGFPE, "SIGFPE", "arithmetic exception"),
        (libc::SIGILL, "SIGILL", "illegal instruction"),
        (libc::SIGKILL, "SIGKILL", "killed"),
        (libc::SIGTERM, "SIGTERM", "terminated"),
        (libc::SIGXCPU, "SIGXCPU", "CPU time limit"),
        (libc::SIGSYS, "SIGSYS", "bad system call"),
        (libc::SIGTRAP, "SIGTRAP", "trap"),
        (libc::SIGPIPE, "SIGPIPE", "broken pipe"),
    ];
    match known.iter().find(|(n, _, _)| *n == signal) {
        Some((_, name, what)) => format!("{name} ({what})"),
        None => format!("signal {signal}"),
    }
}

/// Loads `library` in a new worker: the calculator (with the worker kept
/// for its first computation) or why it cannot be loaded.
pub(crate) fn load(
    launcher: &Arc<Launcher>,
    library: &Path,
) -> Result<WorkerPlugin, LoadErrorKind> {
    let (worker, hello) = launcher.start(library).map_err(|cause| {
        tracing::warn!(library = %library.display(), %cause, "plugin worker failed while loading");
        LoadErrorKind::WorkerFailed(cause)
    })?;
    let descriptor = hello?;
    Ok(WorkerPlugin {
        descriptor,
        library: library.to_path_buf(),
        launcher: launcher.clone(),
        idle: Mutex::new(vec![worker]),
        running: Slots::new(MAX_RUNNING),
    })
}

/// A counting semaphore of worker slots.
#[derive(Debug)]
struct Slots {
    free: Mutex<usize>,
    freed: std::sync::Condvar,
}

/// A taken slot, given back when dropped.
struct Slot<'a>(&'a Slots);

impl Slots {
    fn new(n: usize) -> Self {
        Slots {
            free: Mutex::new(n),
            freed: std::sync::Condvar::new(),
        }
    }

    /// A slot, waiting at most `within` for one to be given back.
    fn take(&self, within: Duration) -> Option<Slot<'_>> {
        let free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        let (mut free, _) = self
            .freed
            .wait_timeout_while(free, within, |free| *free == 0)
            .unwrap_or_else(|e| e.into_inner());
        if *free == 0 {
            return None;
        }
        *free -= 1;
        Some(Slot(self))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.freed.notify_one();
    }
}

/// A calculator whose library runs in worker processes.
pub struct WorkerPlugin {
    descriptor: Descriptor,
    library: PathBuf,
    launcher: Arc<Launcher>,
    idle: Mutex<Vec<Worker>>,
    running: Slots,
}

impl std::fmt::Debug for WorkerPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerPlugin")
            .field("descriptor", &self.descriptor)
            .field("launcher", &self.launcher)
            .finish()
    }
}

impl WorkerPlugin {
    /// An idle worker, or a new one that loaded the same calculator.
    fn worker(&self) -> Result<Worker, String> {
        loop {
            let Some(mut worker) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
                break;
            };
            // An idle worker that died meanwhile (killed from outside) is
            // not this computation's failure: discard it and take another.
            match worker.child.try_wait() {
                Ok(None) => return Ok(worker),
                Ok(Some(status)) => {
                    worker.exited = Some(status);
                    tracing::warn!(library = %self.library.display(), %status, "an idle plugin worker had ended; starting another");
                }
                Err(_) => {}
            }
        }
        let (worker, hello) = self
            .launcher
            .start(&self.library)
            .map_err(|cause| format!("a new worker could not start: {cause}"))?;
        match hello {
            Ok(d) if d.id == self.descriptor.id && d.version == self.descriptor.version => {
                Ok(worker)
            }
            Ok(d) => Err(format!(
                "the library changed on disk: it now provides \"{}\" version {} (reload the calculators)",
                d.id, d.version
            )),
            Err(e) => Err(format!("the library no longer loads: {e}")),
        }
    }

    /// Process ids of the idle workers (for tests and diagnostics).
    pub fn idle_worker_pids(&self) -> Vec<u32> {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|w| w.child.id())
            .collect()
    }
}

impl Calculator for WorkerPlugin {
    fn descriptor(&self) -> &Descriptor {
        &self.descriptor
    }

    fn compute(
        &self,
        inputs: &Inputs,
        period: &Period,
        params: &serde_json::Value,
    ) -> Result<CalcResult, CalculatorError> {
        let id = self.descriptor.id.clone();
        let crashed = |cause: String| {
            tracing::warn!(calculator = %id, library = %self.library.display(), %cause, "plugin computation failed; the worker was discarded");
            CalculatorError::Crashed {
                id: id.clone(),
                cause,
            }
        };
        let header = serde_json::to_vec(&Request {
            period: *period,
            params: params.clone(),
            rows: inputs.payments.as_ref().map(|t| t.len() as u64),
        })
        .map_err(|e| CalculatorError::InvalidInput(e.to_string()))?;
        let Some(_slot) = self.running.take(self.launcher.timeout) else {
            tracing::warn!(calculator = %id, running = MAX_RUNNING, "every worker of the plugin stayed busy for the time limit");
            return Err(CalculatorError::Timeout {
                id,
                after: self.launcher.timeout,
            });
        };
        let mut worker = self.worker().map_err(crashed)?;
        let job = Job {
            header,
            payments: inputs.payments.clone(),
        };
        match worker.exchange(job, self.launcher.timeout) {
            Reply::Frame(bytes) => {
                match serde_json::from_slice::<Result<CalcResult, CalculatorError>>(&bytes) {
                    Ok(result) => {
                        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                        if idle.len() < MAX_IDLE {
                            idle.push(worker);
                        }
                        result
                    }
                    Err(e) => {
                        worker.stop();
                        Err(CalculatorError::PluginProtocol {
                            id,
                            message: format!("the worker's answer does not parse: {e}"),
                        })
                    }
                }
            }
            Reply::TimedOut => {
                worker.stop();
                tracing::warn!(calculator = %id, limit_ms = self.launcher.timeout.as_millis() as u64, "plugin computation exceeded the time limit; its worker was killed");
                Err(CalculatorError::Timeout {
                    id,
                    after: self.launcher.timeout,
                })
            }
            Reply::Ended(e) => Err(crashed(worker.cause_of_end(&e))),
        }
    }
}

/// The worker program for `Isolation::Process` when none is configured:
/// this executable (the `cruscotto` binary has the `plugin-worker`
/// subcommand).
pub(crate) fn default_program() -> io::Result<PathBuf> {
    std::env::current_exe()
}

/// Parses a worker's command line after the program name:
/// `plugin-worker LIBRARY`. For worker binaries without their own parser.
pub fn library_argument<I, S>(args: I) -> Option<PathBuf>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut args = args.into_iter();
    let sub = args.next()?;
    let library = args.next()?;
    (sub.as_ref() == WORKER_SUBCOMMAND && args.next().is_none())
        .then(|| PathBuf::from(library.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_the_slots_run_at_once_and_a_freed_slot_is_taken_by_a_waiter() {
        let slots = Arc::new(Slots::new(2));
        let a = slots.take(Duration::ZERO).expect("first slot");
        let _b = slots.take(Duration::ZERO).expect("second slot");
        assert!(
            slots.take(Duration::from_millis(20)).is_none(),
            "a third computation waits and then gives up"
        );
        let waiter = {
            let slots = slots.clone();
            std::thread::spawn(move || slots.take(Duration::from_secs(30)).is_some())
        };
        drop(a);
        assert!(waiter.join().unwrap(), "the waiter gets the freed slot");
    }

    #[test]
    fn a_worker_takes_exactly_the_subcommand_and_a_library() {
        assert_eq!(
            library_argument(["plugin-worker", "/p/libx.so"]),
            Some(PathBuf::from("/p/libx.so"))
        );
        assert_eq!(library_argument(["plugin-worker"]), None);
        assert_eq!(library_argument(["serve", "/p/libx.so"]), None);
        assert_eq!(library_argument(["plugin-worker", "a", "b"]), None);
    }

    #[test]
    fn frames_round_trip_and_an_oversized_one_is_refused() {
        let mut buffer = Vec::new();
        write_frame(&mut buffer, b"hello").unwrap();
        assert_eq!(read_frame(&mut buffer.as_slice(), 16).unwrap(), b"hello");
        let err = read_frame(&mut buffer.as_slice(), 4).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn a_table_crosses_the_wire_unchanged() {
        let table = PaymentTable::from_columns(
            vec![100, -5],
            vec![18_262, 18_300],
            vec![crate::period::NULL_DAY, 18_330],
            vec![18_270, crate::period::NULL_DAY],
            vec![0, 3],
        )
        .unwrap();
        let mut buffer = Vec::new();
        let c = table.columns();
        buffer.extend_from_slice(as_bytes(c.amount_cents));
        for column in [c.invoice_date, c.due_date, c.payment_date, c.suspended_days] {
            buffer.extend_from_slice(as_bytes(column));
        }
        assert_eq!(buffer.len(), 2 * 24);
        let back = read_table(&mut buffer.as_slice(), 2).unwrap();
        assert_eq!(back.record(0), table.record(0));
        assert_eq!(back.record(1), table.record(1));
    }

    #[test]
    fn an_allocation_failure_followed_by_a_long_backtrace_is_still_the_memory_limit() {
        use std::os::unix::process::ExitStatusExt;
        // What a worker with RUST_BACKTRACE=1 writes when an allocation
        // fails: the message, then a backtrace longer than the tail.
        let mut child = std::process::Command::new("sh")
            .args([
                "-c",
                "echo 'memory allocation of 67108864 bytes failed' >&2; \
                 i=0; while [ $i -lt 100 ]; do echo \"  $i: frame\" >&2; i=$((i+1)); done",
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let tail =
            StderrTail::follow(child.stderr.take().unwrap(), "test".into(), child.id()).unwrap();
        child.wait().unwrap();
        let lines = tail.lines(Duration::from_secs(10));
        assert_eq!(lines.len(), STDERR_TAIL + 1, "{lines:?}");
        assert_eq!(lines.last().unwrap(), "  99: frame");
        let aborted = ExitStatus::from_raw(libc::SIGABRT);
        assert!(
            describe_end(aborted, &lines, 256)
                .starts_with("it exceeded the memory limit of 256 MB"),
            "{lines:?}"
        );
    }

    #[test]
    fn an_allocation_failure_is_the_memory_limit_and_a_signal_is_named() {
        use std::os::unix::process::ExitStatusExt;
        let aborted = ExitStatus::from_raw(libc::SIGABRT);
        let lines = vec!["memory allocation of 67108864 bytes failed".to_string()];
        assert!(describe_end(aborted, &lines, 256)
            .starts_with("it exceeded the memory limit of 256 MB"));
        assert_eq!(
            describe_end(aborted, &[], 256),
            "its worker process was killed by SIGABRT (abort)"
        );
        assert_eq!(
            describe_end(ExitStatus::from_raw(3 << 8), &["bad".into()], 256),
            "its worker process exited with status 3: bad"
        );
    }
}
