use analysis::sem::{self, ModelSpec, Options, SampleMoments};
use analysis::Dataset;
fn main() {
    let data = Dataset::from_path("tests/data/sem/ordinal_covariates.csv").unwrap();
    let sample = SampleMoments::from_dataset(&data, data.names()).unwrap();
    for (m, o) in [
        (
            "f =~ y1 + y2 + y3 + y4 + y5 + y6\n f ~ age + female\n y3 ~ female",
            vec!["y1", "y2", "y3", "y4", "y5", "y6"],
        ),
        ("y1 ~ age + female", vec!["y1"]),
    ] {
        let spec = ModelSpec::parse(m).unwrap();
        let options = Options {
            estimator: "WLSMV".parse().unwrap(),
            ordered: o.iter().map(|s| s.to_string()).collect(),
            ..Options::default()
        };
        match sem::fit(&spec, &sample, &options) {
            Ok(f) => {
                println!("{}", f.table.params.len());
                for p in &f.table.params {
                    println!("{} {:?} {} {}", p.lhs, p.op, p.rhs, p.value);
                }
            }
            Err(e) => println!("ERR {e}"),
        }
    }
}
