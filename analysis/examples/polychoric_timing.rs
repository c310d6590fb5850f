//! The ordinal sample statistics of a CSV of ordered items as one process,
//! for the whole-process comparison with lavaan (scripts/bench-polychoric):
//! thresholds, all polychoric correlations, the influence matrix, the full
//! NACOV (as lavaan forms it) and the DWLS weights.
//!
//!     cargo run --release -p analysis --example polychoric_timing -- DATA.csv
//!
//! Prints a digest (sums that tests/reference/polychoric_bench.R prints for
//! lavaan's values) on stdout and the time of each phase on stderr.

use analysis::polychoric::{polychoric, OrderedData};
use analysis::Dataset;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: polychoric_timing DATA.csv")?;
    let start = Instant::now();
    let mut phase = Instant::now();
    let mut lap = |what: &str| {
        eprintln!(
            "timing: {:8.1} ms  {what}",
            phase.elapsed().as_secs_f64() * 1e3
        );
        phase = Instant::now();
    };
    let data = Dataset::from_path(&path)?;
    let columns = data.names().to_vec();
    let ordered = OrderedData::from_dataset(&data, &columns)?;
    lap("read and recode the data");
    let result = polychoric(&ordered)?;
    lap("thresholds and polychoric correlations");
    let asymptotics = result.asymptotics(&ordered)?;
    lap("influence matrix (scores, A11, A21, A22)");
    let weights = asymptotics.dwls_weights()?;
    lap("DWLS weights from the influence matrix");
    let nacov = asymptotics.nacov();
    lap("full NACOV (N ΨᵀΨ)");
    let p = result.names.len();
    let n_th: usize = result.thresholds.iter().map(Vec::len).sum();
    let th_sum: f64 = result.thresholds.iter().flatten().sum();
    let mut rho_sum = 0.0;
    for i in 0..p {
        for j in i + 1..p {
            rho_sum += result.correlations[i][j];
        }
    }
    println!(
        "variables {p}, N {}, thresholds {n_th}, correlations {}",
        ordered.n_cases,
        p * (p - 1) / 2
    );
    println!("sum of thresholds {th_sum:.6}");
    println!("sum of correlations {rho_sum:.6}");
    println!(
        "NACOV {} x {}, trace {:.6}",
        nacov.nrows(),
        nacov.ncols(),
        nacov.trace()
    );
    println!("sum of DWLS weights {:.6}", weights.iter().sum::<f64>());
    eprintln!(
        "timing: {:8.1} ms  total in process",
        start.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
