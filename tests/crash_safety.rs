//! Crash safety, end to end (issue 6, part 3): `codifica import`, `train` and `classify` are
//! killed with SIGKILL (`std::process::Child::kill`) part-way through, and the workspace must
//! still open and hold exactly its previous contents (or, for a step that had already finished,
//! exactly the new ones) — then the same command run again must succeed. A second process writing
//! to a busy workspace must be refused with a "busy" error and write nothing.
//!
//! The data are **synthetic** (`codifica::synth`). Each test first runs the command to the end on
//! a copy of the workspace to learn how long it takes and what it produces, then kills fresh
//! copies at fractions of that time. A kill that lands after the command finished is allowed
//! (the state must then equal the finished one), but each test needs at least one kill that
//! lands while the command is still running.
//!
//! Its own test binary, not a module of `tests/it/`: the kill times come from a reference run, so
//! that run and the killed ones must not share the machine with the rest of the suite's tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command as Std, Output, Stdio};
use std::time::{Duration, Instant};

use codifica::answer::Answer;
use codifica::month::Month;
use codifica::store::{AnswerFilter, Store};
use codifica::synth::{SynthSpec, write_csv_file};
use codifica::workspace::Workspace;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_codifica"))
}

fn cmd(ws: &Path, args: &[&str]) -> Std {
    let mut c = Std::new(bin());
    c.arg("--workspace").arg(ws).arg("--quiet").args(args);
    c.env_remove("CODIFICA_WORKSPACE");
    // Reproducible model files: the training date comes from here.
    c.env("SOURCE_DATE_EPOCH", "1600000000");
    c
}

fn run(ws: &Path, args: &[&str]) -> Output {
    cmd(ws, args).output().expect("codifica runs")
}

fn ok(ws: &Path, args: &[&str]) -> Output {
    let out = run(ws, args);
    assert!(
        out.status.success(),
        "codifica {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn synth(dir: &Path, name: &str, spec: SynthSpec) -> PathBuf {
    let path = dir.join(name);
    write_csv_file(&spec, &path).expect("synthetic CSV written");
    path
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn answers(ws: &Path, filter: &AnswerFilter) -> Vec<Answer> {
    let ws = Workspace::open(ws).expect("workspace opens after the kill");
    let store = Store::open(&ws).expect("index opens after the kill");
    store
        .answers(filter)
        .expect("answers readable after the kill")
}

/// The visible state: `status --json` without the folder's path.
fn status(ws: &Path) -> serde_json::Value {
    let out = ok(ws, &["status", "--json"]);
    let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status --json");
    if let Some(o) = v.as_object_mut() {
        o.remove("workspace");
    }
    v
}

/// Runs `args` on `ws` and SIGKILLs it after `after`. Returns true when it was still running.
fn kill_after(ws: &Path, args: &[&str], after: Duration) -> bool {
    let mut child = cmd(ws, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(after);
    let running = matches!(child.try_wait(), Ok(None));
    child.kill().ok(); // SIGKILL on Unix; an error only means it already exited
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked"),
        "codifica {args:?} panicked:\n{err}"
    );
    running
}

/// Files in `ws`'s index that `base`'s index does not have: segments written by a killed writer
/// before its commit (evidence that the kill landed in the write phase).
fn new_index_files(base: &Path, ws: &Path) -> usize {
    let names = |p: &Path| -> std::collections::BTreeSet<String> {
        std::fs::read_dir(p.join("index"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    names(ws).difference(&names(base)).count()
}

fn timed(ws: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    ok(ws, args);
    t.elapsed()
}

fn model_bytes(ws: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(ws.join("models"))
        .expect("models dir")
        .flatten()
    {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "model") {
            let name = e.file_name().to_string_lossy().into_owned();
            out.insert(name, std::fs::read(&p).expect("model readable"));
        }
    }
    out
}

fn leftovers(ws: &Path) -> Vec<String> {
    std::fs::read_dir(ws.join("models"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".model"))
                .collect()
        })
        .unwrap_or_default()
}

fn machine_codes(ws: &Path, month: Month) -> BTreeMap<String, Vec<String>> {
    answers(
        ws,
        &AnswerFilter {
            month: Some(month),
            ..Default::default()
        },
    )
    .into_iter()
    .filter_map(|a| a.machine.as_ref().map(|m| (a.key(), m.codes.clone())))
    .collect()
}

#[test]
fn import_killed_midway_keeps_previous_contents() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = tmp.path().join("base");
    ok(&base, &["init"]);
    let small = synth(tmp.path(), "small.csv", SynthSpec::new(1_500, 1));
    ok(&base, &["import", small.to_str().unwrap_or_default()]);
    let before = status(&base);
    let before_answers = answers(&base, &AnswerFilter::default());
    // A different seed: new keys and replaced ones, so a partial write would show.
    let big = synth(tmp.path(), "big.csv", SynthSpec::new(30_000, 2));
    let big_s = big.to_str().unwrap_or_default();

    let full = tmp.path().join("full");
    copy_dir(&base, &full);
    let t = timed(&full, &["import", big_s]);
    let after_full = status(&full);
    assert_ne!(
        after_full, before,
        "the big import must change the workspace"
    );
    eprintln!("import of 30,000 answers took {t:?}");

    let mut midway = 0;
    for (i, frac) in [0.3, 0.6, 0.85].into_iter().enumerate() {
        let ws = tmp.path().join(format!("kill{i}"));
        copy_dir(&base, &ws);
        let running = kill_after(&ws, &["import", big_s], t.mul_f64(frac));
        eprintln!(
            "import killed at {frac} of {t:?} (still running: {running}): {} index files not in the base",
            new_index_files(&base, &ws)
        );
        let now = status(&ws);
        if running {
            midway += 1;
            assert_eq!(
                now, before,
                "import killed at {frac} of its time changed the workspace"
            );
            assert_eq!(answers(&ws, &AnswerFilter::default()), before_answers);
        } else {
            assert!(
                now == before || now == after_full,
                "import finished: state must be old or new"
            );
        }
        if i == 2 {
            // The workspace is still usable: the same import succeeds and gives the full result.
            ok(&ws, &["import", big_s]);
            assert_eq!(status(&ws), after_full);
        }
    }
    assert!(
        midway > 0,
        "no kill landed while the import ran ({t:?}): make the file bigger"
    );
}

#[test]
fn train_killed_midway_leaves_old_or_new_model_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = tmp.path().join("base");
    ok(&base, &["init"]);
    let first = synth(tmp.path(), "first.csv", SynthSpec::new(2_000, 3));
    ok(&base, &["import", first.to_str().unwrap_or_default()]);
    ok(&base, &["train", "--cv-folds", "0"]);
    let old = model_bytes(&base);
    assert!(!old.is_empty(), "train wrote no model");
    let more = synth(tmp.path(), "more.csv", SynthSpec::new(10_000, 4));
    ok(&base, &["import", more.to_str().unwrap_or_default()]);

    let full = tmp.path().join("full");
    copy_dir(&base, &full);
    let t = timed(&full, &["train"]);
    let new = model_bytes(&full);
    assert_eq!(
        new.keys().collect::<Vec<_>>(),
        old.keys().collect::<Vec<_>>()
    );
    assert_ne!(new, old, "retraining on more data must change the models");
    eprintln!("train on 12,000 answers took {t:?}");

    let mut midway = 0;
    for (i, frac) in [0.5, 0.95].into_iter().enumerate() {
        let ws = tmp.path().join(format!("kill{i}"));
        copy_dir(&base, &ws);
        midway += kill_after(&ws, &["train"], t.mul_f64(frac)) as usize;
        let now = model_bytes(&ws);
        assert_eq!(
            now.keys().collect::<Vec<_>>(),
            old.keys().collect::<Vec<_>>()
        );
        for (name, bytes) in &now {
            assert!(
                bytes == &old[name] || bytes == &new[name],
                "{name}: after a kill at {frac} of the training time the model file is neither the \
                 old one nor the complete new one ({} bytes)",
                bytes.len()
            );
        }
        let renewed = now.iter().filter(|(n, b)| *b == &new[n.as_str()]).count();
        eprintln!(
            "train killed at {frac}: {renewed} of {} model files already new",
            now.len()
        );
        let stray = leftovers(&ws);
        if !stray.is_empty() {
            eprintln!("note: temporary files left in models/ by the kill: {stray:?}");
        }
        // The models load and classify.
        let last = answers(&ws, &AnswerFilter::default())
            .iter()
            .map(|a| a.month)
            .max()
            .expect("answers");
        ok(&ws, &["classify", "--month", &last.to_string()]);
    }
    assert!(midway > 0, "no kill landed while training ran ({t:?})");
}

#[test]
fn classify_killed_midway_stores_all_or_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = tmp.path().join("base");
    ok(&base, &["init"]);
    // Two big months: the first coded (to train on), the second not (to classify).
    let spec = SynthSpec {
        max_months: 2,
        ..SynthSpec::new(24_000, 5)
    };
    let data = synth(tmp.path(), "two_months.csv", spec.clone());
    ok(&base, &["import", data.to_str().unwrap_or_default()]);
    ok(&base, &["train", "--cv-folds", "0"]);
    let month = spec.plan().last_month;
    let m = month.to_string();
    assert!(machine_codes(&base, month).is_empty());

    let full = tmp.path().join("full");
    copy_dir(&base, &full);
    let t = timed(&full, &["classify", "--month", &m]);
    let all = machine_codes(&full, month);
    assert!(
        all.len() > 5_000,
        "classify stored only {} codings",
        all.len()
    );
    eprintln!("classify of {} answers took {t:?}", all.len());

    let mut midway = 0;
    for (i, frac) in [0.4, 0.75, 0.95].into_iter().enumerate() {
        let ws = tmp.path().join(format!("kill{i}"));
        copy_dir(&base, &ws);
        midway += kill_after(&ws, &["classify", "--month", &m], t.mul_f64(frac)) as usize;
        let now = machine_codes(&ws, month);
        assert!(
            now.is_empty() || now == all,
            "after a kill at {frac} of the time, {} of {} answers have machine codes",
            now.len(),
            all.len()
        );
        if i == 0 {
            ok(&ws, &["classify", "--month", &m]);
            assert_eq!(machine_codes(&ws, month), all);
        }
    }
    assert!(midway > 0, "no kill landed while classify ran ({t:?})");
}

#[test]
fn second_writer_gets_busy_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ws = tmp.path().join("ws");
    ok(&ws, &["init"]);
    let big = synth(tmp.path(), "big.csv", SynthSpec::new(30_000, 6));
    // Months 2040-…: keys no other file has, so a write by the refused import would show.
    let other = SynthSpec {
        start: Month::new(2040, 1).expect("month"),
        ..SynthSpec::new(400, 7)
    };
    let small = synth(tmp.path(), "small.csv", other);
    let mut first = cmd(&ws, &["import", big.to_str().unwrap_or_default()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Let the first import start and take the lock (it does so before reading the file).
    std::thread::sleep(Duration::from_millis(300));
    let mut busy = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    while busy.is_none() && Instant::now() < deadline && matches!(first.try_wait(), Ok(None)) {
        let out = run(&ws, &["import", small.to_str().unwrap_or_default()]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked"), "{err}");
        if !out.status.success() && err.contains("busy") {
            // Readers are not blocked by the writer: status still answers, from the last commit.
            let st = run(&ws, &["status", "--json"]);
            assert!(
                st.status.success(),
                "status during an import: {}",
                String::from_utf8_lossy(&st.stderr)
            );
            busy = Some(err);
        } else {
            assert!(
                !out.status.success(),
                "the second import ran while the first held the workspace"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let out = first.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "first import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let msg = busy.expect("the second writer was never told the workspace is busy");
    assert!(
        msg.contains(ws.to_str().unwrap_or_default()),
        "busy message names the workspace: {msg}"
    );
    let months: Vec<Month> = answers(&ws, &AnswerFilter::default())
        .iter()
        .map(|a| a.month)
        .collect();
    assert_eq!(months.len(), 30_000);
    assert!(
        months.iter().all(|m| m.year() < 2040),
        "the refused import wrote answers"
    );
}

/// A killed `train` (or `codebook`) leaves its `.codifica-tmp-*` file; nothing held it after the
/// kill, so the next write in that folder removes it. Simulated deterministically: a leftover
/// with a writer's name, no lock on it (its process is gone) and an old modification time.
#[test]
fn a_killed_writers_temporary_file_is_removed_by_the_next_write() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let ws = tmp.path().join("ws");
    ok(&ws, &["init"]);
    let csv = synth(tmp.path(), "a.csv", SynthSpec::new(600, 5));
    ok(&ws, &["import", csv.to_str().unwrap_or_default()]);
    let models = ws.join("models");
    std::fs::create_dir_all(&models).expect("models/");
    let stale = models.join(".codifica-tmp-Xk3v9A");
    std::fs::write(&stale, vec![0u8; 4096]).expect("leftover");
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .and_then(|f| f.set_modified(hour_ago))
        .expect("backdate");
    ok(&ws, &["train", "--cv-folds", "0"]);
    assert!(
        leftovers(&ws).is_empty(),
        "temporary files survive the next write: {:?}",
        leftovers(&ws)
    );
    assert!(!model_bytes(&ws).is_empty(), "train wrote its models");
}
