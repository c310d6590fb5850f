"""Start-up and cell latency of the paraclinic kernel and evcxr_jupyter, as a
Jupyter client sees them, side by side in one run.

For each kernel: time from starting the process to the first kernel_info
reply ("ready") and to the end of the first cell (`1 + 1`), then warm cells.
Run through scripts/bench-kernel.

The paraclinic kernel starts twice: first with an empty build cache
(PARACLINIC_KERNEL_CACHE in a fresh temporary directory: what the first start
on a machine costs), then with the cache that run filled (every later start);
--no-cold skips the first and uses the default cache.

Warm cells run on all kernels interleaved (cell by cell, alternating which
kernel goes first), so both see the same machine load: the machine this was
written on is shared, and load changes from minute to minute. With
--evcxr-analysis, a third kernel runs: evcxr_jupyter after
`:dep analysis = { path = ... }` (the same library, loaded by hand).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

WARM_CELLS = [
    "let a = 20;",
    "a * 2 + 2",
    'format!("{}-{}", a, 7)',
    "let v: Vec<u64> = (1..=100).collect();",
    "v.iter().sum::<u64>()",
]
ANALYSIS_DIR = Path(__file__).resolve().parents[2] / "analysis"


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


class Kernel:
    """A started kernel and its start-up times."""

    def __init__(self, label, kernel_name, timeout, setup=()):
        self.label = label
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
        run(self.kc, "1 + 1", timeout)
        self.first = time.perf_counter() - t0
        self.warm = []

    def cell(self, code, timeout):
        t = time.perf_counter()
        run(self.kc, code, timeout)
        self.warm.append(time.perf_counter() - t)

    def stop(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cold", action="store_true", help="skip the start with an empty build cache")
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

    starts = []  # (label, ready, first)
    if not args.no_cold:
        os.environ["PARACLINIC_KERNEL_CACHE"] = tempfile.mkdtemp(prefix="paraclinic-kernel-cold-")
        print("starting paraclinic with an empty build cache ...", flush=True)
        cold = Kernel("paraclinic, cold cache", "paraclinic", args.timeout)
        cold.stop()
        starts.append((cold.label, cold.ready, cold.first))
    print("starting paraclinic with a filled build cache ...", flush=True)
    kernels = [Kernel("paraclinic", "paraclinic", args.timeout)]
    starts.append(("paraclinic, warm cache", kernels[0].ready, kernels[0].first))
    if have_evcxr:
        print("starting evcxr_jupyter ...", flush=True)
        kernels.append(Kernel("evcxr_jupyter", args.evcxr_kernel, args.timeout))
        starts.append(("evcxr_jupyter", kernels[-1].ready, kernels[-1].first))
        if args.evcxr_analysis:
            print("starting evcxr_jupyter + :dep analysis (compiles analysis) ...", flush=True)
            dep = f':dep analysis = {{ path = "{ANALYSIS_DIR}" }}'
            kernels.append(Kernel("evcxr_jupyter + analysis", args.evcxr_kernel, args.timeout, [dep]))
            starts.append(("evcxr_jupyter + :dep analysis", kernels[-1].ready, kernels[-1].first))

    print(f"warm cells: {len(WARM_CELLS)} cells x {args.rounds} rounds, interleaved ...", flush=True)
    try:
        for r in range(args.rounds):
            for code in WARM_CELLS:
                order = kernels if r % 2 == 0 else kernels[::-1]
                for k in order:
                    k.cell(code, args.timeout)
    finally:
        for k in kernels:
            k.stop()

    print()
    print(f"{'start':<32}{'ready (s)':>10}{'first cell (s)':>16}")
    for label, ready, first in starts:
        print(f"{label:<32}{ready:>10.2f}{first:>16.2f}")
    print()
    print(f"{'warm cells':<32}{'median (s)':>11}{'mean (s)':>10}{'max (s)':>9}")
    for k in kernels:
        print(f"{k.label:<32}{statistics.median(k.warm):>11.3f}{statistics.mean(k.warm):>10.3f}{max(k.warm):>9.3f}")
    if len(kernels) > 1:
        ours = kernels[0].warm
        for other in kernels[1:]:
            ratios = [a / b for a, b in zip(ours, other.warm)]
            print(
                f"\nparaclinic / {other.label}: median of paired ratios {statistics.median(ratios):.2f}, "
                f"ratio of medians {statistics.median(ours) / statistics.median(other.warm):.2f}"
            )
        print()
        print(f"{'per cell (median s)':<44}" + "".join(f"{k.label[:14]:>16}" for k in kernels))
        n = len(WARM_CELLS)
        for i, code in enumerate(WARM_CELLS):
            cells = [statistics.median(k.warm[i::n]) for k in kernels]
            print(f"{code:<44}" + "".join(f"{c:>16.3f}" for c in cells))
    print(
        "\nready: process start to kernel_info reply. first cell: process start to the end of `1 + 1` "
        "(paraclinic: includes preloading the analysis library, compiled on the cold start, "
        "taken from the cache on the warm one). warm: each cell timed from execute_request to idle."
    )


if __name__ == "__main__":
    sys.exit(main())
