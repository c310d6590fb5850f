"""Start-up, restart, cell latency and memory of the paraclinic kernel and
evcxr_jupyter, as a Jupyter client sees them, side by side in one run.

Reported for each kernel:

- start -> first cell: from starting the process to the end of a first cell
  that defines a variable (paraclinic: one that calls the analysis library,
  `let claims = study::published::contracting_model(); ...`; evcxr_jupyter:
  the same shape on the standard library, since it has no library loaded);
- restart -> next cell: `shutdown_request` with restart, then the same cell;
- warm cells: median, mean and max of five everyday cells, interleaved across
  the kernels (cell by cell, alternating which kernel goes first) so that all
  see the same machine load;
- memory: resident set of the kernel's whole process tree (the kernel and
  every process under it, summed from /proc) after a dozen cells that define
  and use variables, one completion and one inspection;
- install-time cache fill (paraclinic): `paraclinic-kernel install` into a
  fresh, empty build cache (with --no-cold: the existing one), then the
  starts above use that cache.

Run through scripts/bench-kernel, which installs evcxr_jupyter 0.22.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]
KERNEL_BIN = ROOT / "target" / "release" / "paraclinic-kernel"
ANALYSIS_DIR = ROOT / "analysis"

FIRST_CELL = {
    "paraclinic": "let claims = study::published::contracting_model();\nclaims.study.title.len()",
    "evcxr": 'let claims = vec![String::from("a title")];\nclaims[0].len()',
}
WARM_CELLS = [
    "let a = 20;",
    "a * 2 + 2",
    'format!("{}-{}", a, 7)',
    "let v: Vec<u64> = (1..=100).collect();",
    "v.iter().sum::<u64>()",
]
# A notebook in use: variables defined and used, a struct, a closure call, a
# map, strings; then a completion and an inspection (rust-analyzer's part).
SESSION_CELLS = [
    "let xs: Vec<f64> = (1..=50).map(|i| i as f64 / 2.0).collect();",
    "let mean = xs.iter().sum::<f64>() / xs.len() as f64; mean",
    "#[derive(Debug, Clone)] struct Point { x: f64, y: f64 }",
    "let p = Point { x: 1.0, y: mean }; p",
    "let mut names = std::collections::BTreeMap::new(); names.insert(\"a\", 1); names",
    "let s = format!(\"{:?}\", p); s.len()",
    "let squares: Vec<f64> = xs.iter().map(|x| x * x).collect(); squares.len()",
    "let total = squares.iter().sum::<f64>(); total",
    "names.insert(\"b\", 2); names.len()",
    "let label = String::from(\"mean\"); label",
    "let q = Point { x: total, ..p.clone() }; q.x",
    "xs.len() + names.len()",
]


def run(kc, code, timeout):
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "status"
            and msg["content"]["execution_state"] == "idle"
        ):
            break
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{code!r} failed: {reply['content']}")


def tree_rss_mb(pid):
    """Resident memory of `pid` and all its descendants, in MB (from /proc)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    total_kb, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


class Kernel:
    """A started kernel and its start-up times."""

    def __init__(self, label, kernel_name, first_cell, timeout, setup=()):
        self.label = label
        self.first_cell = first_cell
        self.km = KernelManager(kernel_name=kernel_name)
        t0 = time.perf_counter()
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        # wait_for_ready sends kernel_info until the reply comes back.
        self.kc.wait_for_ready(timeout=timeout)
        self.ready = time.perf_counter() - t0
        for code in setup:
            run(self.kc, code, timeout)
        run(self.kc, first_cell, timeout)
        self.first = time.perf_counter() - t0
        self.warm = []
        self.restart_first = None
        self.rss_mb = None

    def cell(self, code, timeout):
        t = time.perf_counter()
        run(self.kc, code, timeout)
        self.warm.append(time.perf_counter() - t)

    def restart(self, timeout, setup=()):
        t0 = time.perf_counter()
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=timeout)
        for code in setup:
            run(self.kc, code, timeout)
        run(self.kc, self.first_cell, timeout)
        self.restart_first = time.perf_counter() - t0

    def use_and_measure_memory(self, timeout):
        for code in SESSION_CELLS:
            run(self.kc, code, timeout)
        self.kc.complete("xs.ite", 6, reply=True, timeout=timeout)
        self.kc.inspect("xs", 2, reply=True, timeout=timeout)
        time.sleep(1)
        self.rss_mb = tree_rss_mb(self.km.provisioner.process.pid)

    def stop(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def install(cache):
    """`paraclinic-kernel install` into a fresh prefix with build cache `cache`
    (None: the default one); returns its time. Into an empty cache, its fill
    is what the first start on a new machine would otherwise pay."""
    prefix = tempfile.mkdtemp(prefix="paraclinic-kernel-prefix-")
    env = dict(os.environ)
    if cache is not None:
        env["PARACLINIC_KERNEL_CACHE"] = cache
    t0 = time.perf_counter()
    subprocess.run([str(KERNEL_BIN), "install", "--prefix", prefix], env=env, check=True)
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cold", action="store_true", help="skip the install into an empty build cache")
    parser.add_argument("--rounds", type=int, default=5, help="repetitions of the warm cells")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--evcxr-kernel", default="evcxr-bench", help="kernelspec name of evcxr_jupyter")
    parser.add_argument(
        "--evcxr-analysis", action="store_true", help="also evcxr_jupyter with `:dep analysis` added by hand"
    )
    args = parser.parse_args()
    have_evcxr = args.evcxr_kernel in KernelSpecManager().find_kernel_specs()
    if not have_evcxr:
        print(
            f"evcxr_jupyter: skipped (no kernelspec {args.evcxr_kernel!r}; scripts/bench-kernel installs one)",
            flush=True,
        )

    if args.no_cold:
        print("installing paraclinic with the existing build cache ...", flush=True)
        fill = ("paraclinic-kernel install, build cache already filled", install(None))
    else:
        print("installing paraclinic into an empty build cache (fills it) ...", flush=True)
        cache = tempfile.mkdtemp(prefix="paraclinic-kernel-cold-")
        fill = ("paraclinic-kernel install into an empty build cache (fills it)", install(cache))
        os.environ["PARACLINIC_KERNEL_CACHE"] = cache
    print("starting paraclinic ...", flush=True)
    kernels = [Kernel("paraclinic", "paraclinic", FIRST_CELL["paraclinic"], args.timeout)]
    setups = [()]
    if have_evcxr:
        print("starting evcxr_jupyter ...", flush=True)
        kernels.append(Kernel("evcxr_jupyter", args.evcxr_kernel, FIRST_CELL["evcxr"], args.timeout))
        setups.append(())
        if args.evcxr_analysis:
            print("starting evcxr_jupyter + :dep analysis (compiles analysis) ...", flush=True)
            dep = f':dep analysis = {{ path = "{ANALYSIS_DIR}" }}'
            kernels.append(
                Kernel("evcxr_jupyter + analysis", args.evcxr_kernel, FIRST_CELL["paraclinic"], args.timeout, [dep])
            )
            setups.append((dep,))

    try:
        print("restarts ...", flush=True)
        for k, setup in zip(kernels, setups):
            k.restart(args.timeout, setup)
        print(f"warm cells: {len(WARM_CELLS)} cells x {args.rounds} rounds, interleaved ...", flush=True)
        for r in range(args.rounds):
            for code in WARM_CELLS:
                order = kernels if r % 2 == 0 else kernels[::-1]
                for k in order:
                    k.cell(code, args.timeout)
        print(f"memory after {len(SESSION_CELLS)} more cells, a completion and an inspection ...", flush=True)
        for k in kernels:
            k.use_and_measure_memory(args.timeout)
    finally:
        for k in kernels:
            k.stop()

    print()
    print(f"{fill[0]}: {fill[1]:.1f} s\n")
    header = f"{'kernel':<30}{'ready':>8}{'start->1st cell':>17}{'restart->cell':>15}{'RSS tree (MB)':>15}"
    print(header)
    for k in kernels:
        print(f"{k.label:<30}{k.ready:>8.2f}{k.first:>17.2f}{k.restart_first:>15.2f}{k.rss_mb:>15.0f}")
    print()
    print(f"{'warm cells':<30}{'median (s)':>11}{'mean (s)':>10}{'max (s)':>9}")
    for k in kernels:
        print(f"{k.label:<30}{statistics.median(k.warm):>11.3f}{statistics.mean(k.warm):>10.3f}{max(k.warm):>9.3f}")
    if len(kernels) > 1:
        ours = kernels[0]
        for other in kernels[1:]:
            ratios = [a / b for a, b in zip(ours.warm, other.warm)]
            print(
                f"\nparaclinic / {other.label}: warm cells median of paired ratios "
                f"{statistics.median(ratios):.2f}, ratio of medians "
                f"{statistics.median(ours.warm) / statistics.median(other.warm):.2f}; "
                f"start->first cell {ours.first / other.first:.2f}; "
                f"restart->cell {ours.restart_first / other.restart_first:.2f}; "
                f"memory {ours.rss_mb / other.rss_mb:.2f}"
            )
        print()
        print(f"{'per cell (median s)':<44}" + "".join(f"{k.label[:14]:>16}" for k in kernels))
        n = len(WARM_CELLS)
        for i, code in enumerate(WARM_CELLS):
            cells = [statistics.median(k.warm[i::n]) for k in kernels]
            print(f"{code:<44}" + "".join(f"{c:>16.3f}" for c in cells))
    print(
        "\nready: process start to kernel_info reply. start->1st cell: process start to the end of a "
        "first cell that defines a variable (paraclinic: calls the analysis library). restart->cell: "
        "restart request to the end of the same cell. warm: each cell timed from execute_request to "
        "idle. RSS tree: resident memory of the kernel and all processes under it, summed."
    )


if __name__ == "__main__":
    sys.exit(main())
