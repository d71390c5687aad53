//! The command line's progress bar, redrawn in place on stderr.

use std::io::Write;

pub fn bar(done: u64, total: u64, unit: &str, secs: f64) {
    const WIDTH: u64 = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
    let rate = done as f64 / secs.max(0.001);
    eprint!(
        "\r[{}{}] {done}/{total} {unit}, {rate:.1}/s ",
        "#".repeat(filled as usize),
        ".".repeat((WIDTH - filled) as usize),
    );
    let _ = std::io::stderr().flush();
}
