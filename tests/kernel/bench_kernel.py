"""Start-up and cell latency of the paraclinic kernel and evcxr_jupyter, as a
Jupyter client sees them, side by side in one run.

For each kernel: time from starting the process to the first kernel_info
reply ("ready"), to the end of the first cell, and the median of warm cells.
Run through scripts/bench-kernel. With --cold, the paraclinic kernel starts
with an empty build cache (PARACLINIC_KERNEL_CACHE in a fresh temporary
directory), which is what the first start on a machine costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

WARM_CELLS = [
    "let a = 20;",
    "a * 2 + 2",
    'format!("{}-{}", a, 7)',
    "let v: Vec<u64> = (1..=100).collect();",
    "v.iter().sum::<u64>()",
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


def measure(kernel_name, first_cell, rounds, timeout):
    km = KernelManager(kernel_name=kernel_name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        # wait_for_ready sends kernel_info until the reply comes back.
        kc.wait_for_ready(timeout=timeout)
        ready = time.perf_counter() - t0
        run(kc, first_cell, timeout)
        first = time.perf_counter() - t0
        warm = []
        for _ in range(rounds):
            for code in WARM_CELLS:
                t = time.perf_counter()
                run(kc, code, timeout)
                warm.append(time.perf_counter() - t)
        return ready, first, warm
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="paraclinic kernel with an empty build cache")
    parser.add_argument("--rounds", type=int, default=2, help="repetitions of the warm cells")
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument("--evcxr-kernel", default="rust", help="kernelspec name of evcxr_jupyter")
    args = parser.parse_args()

    specs = KernelSpecManager().find_kernel_specs()
    kernels = [("paraclinic", "paraclinic", "1 + 1")]
    if args.evcxr_kernel in specs:
        kernels.append(("evcxr_jupyter", args.evcxr_kernel, "1 + 1"))
    else:
        print(
            f"evcxr_jupyter: skipped (no kernelspec {args.evcxr_kernel!r}; "
            "install with `cargo install evcxr_jupyter && evcxr_jupyter --install`)",
            flush=True,
        )

    if args.cold:
        cache = tempfile.mkdtemp(prefix="paraclinic-kernel-cold-")
        os.environ["PARACLINIC_KERNEL_CACHE"] = cache
        print(f"paraclinic: cold build cache in {cache}", flush=True)

    rows = []
    for label, name, first_cell in kernels:
        print(f"measuring {label} ...", flush=True)
        ready, first, warm = measure(name, first_cell, args.rounds, args.timeout)
        rows.append((label, ready, first, statistics.median(warm), max(warm)))

    print()
    print(f"{'kernel':<16}{'ready (s)':>12}{'first cell (s)':>16}{'warm median (s)':>17}{'warm max (s)':>14}")
    for label, ready, first, median, worst in rows:
        print(f"{label:<16}{ready:>12.2f}{first:>16.2f}{median:>17.2f}{worst:>14.2f}")
    print(
        "\nready: process start to kernel_info reply. first cell: process start to the end of "
        "`1 + 1` (for paraclinic this includes preloading the analysis library). warm: "
        f"{len(WARM_CELLS)} small cells x {args.rounds}."
    )


if __name__ == "__main__":
    sys.exit(main())
