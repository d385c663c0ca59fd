#!/usr/bin/env python3
"""Run several train.py variants side by side on one GPU and rank them on dev (never on test).

  python3 training/language/sweep.py --root /tmp/sweep --deadline 480 \\
      base:--order-seed=11 enc3e-4:--lr-encoder=3e-4 ...

Each run is `train.py --no-export` in <root>/<name> (its own cache folder, seeded with --ids-cache when
given, so tokenising is skipped) on its own CPU core (taskset); the GPU is shared. Runs are listed in
priority order: when the step rates of the last 30 s say that not every run can end by --deadline seconds,
the last-listed ones still running are stopped, which speeds up the rest. A run named `smoke` is the
pipeline check: if it fails, everything stops at once, so a broken environment costs seconds of a
lent GPU, not the whole lease. The last line is a JSON list of the finished runs with their dev
figures, best first by dev_sum = held-out GoEmotions macro-F1 + Jigsaw mean AUC + SST-5 CV accuracy.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STEP = re.compile(r"step (\d+)/(\d+)")


def dev_figures(out_dir):
    m = json.load(open(os.path.join(out_dir, "config.json")))["metrics_dev"]
    fig = {"ge_heldout": m["goemotions_dev_heldout_macro_f1"], "ge_insample": m["goemotions_dev_macro_f1"],
           "jigsaw": m["jigsaw_dev_mean_auc"], "sst5_cv": max(m["sst5_dev_cv_acc_by_fold"].values())}
    fig["dev_sum"] = fig["ge_heldout"] + fig["jigsaw"] + fig["sst5_cv"]
    if "neutral_dev_texts" in m:  # v4 figures: neutral text and words should score low, mined labels rank high
        fig["neutral_text_top_median"] = m["neutral_dev_texts"]["top_median"]
        fig["neutral_word_top_p90"] = m["neutral_dev_words"]["top_p90"]
        aucs = [v for v in m["mined_dev_auc"].values() if v is not None and v == v]
        fig["mined_mean_auc"] = sum(aucs) / max(1, len(aucs))
    return {k: round(v, 4) for k, v in fig.items()}


def progress(log_path):
    """(steps done, total steps) from the last 'step i/n' line of a run's log, or None before the first."""
    found = None
    with open(log_path, errors="replace") as f:
        for line in f:
            m = STEP.search(line)
            if m:
                found = (int(m.group(1)), int(m.group(2)))
    return found


def recent_rate(history, window=30.0):
    """Steps per second over the last `window` seconds of [(elapsed, steps done), ...]."""
    t1, d1 = history[-1]
    t0, d0 = next((t, d) for t, d in history if t >= t1 - window)
    return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", help="name:--flag=value,--flag=value (priority order)")
    ap.add_argument("--root", required=True)
    ap.add_argument("--deadline", type=float, default=480, help="seconds from start by which runs must end")
    ap.add_argument("--tail", type=float, default=20, help="seconds a run needs after its last step (calibration; ~5 s on a GPU)")
    ap.add_argument("--ids-cache", default=None, help="a tokenisation cache file (ids_*.npz) to seed each run's cache with")
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    t0 = time.time()
    cores = sorted(os.sched_getaffinity(0))
    procs = {}
    for k, spec in enumerate(args.runs):
        name, _, flags = spec.partition(":")
        out = os.path.join(args.root, name)
        cache = os.path.join(out, "cache")
        os.makedirs(cache, exist_ok=True)
        if args.ids_cache:
            shutil.copy(args.ids_cache, cache)
        pin = ["taskset", "-c", str(cores[k % len(cores)])] if shutil.which("taskset") else []
        cmd = pin + [args.python, os.path.join(HERE, "train.py"), "--no-export", "--out", out, "--cache", cache] + [f for f in flags.split(",") if f]
        log = open(os.path.join(out, "log"), "w")
        procs[name] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), out, k)
        print(f"started {name}: {' '.join(cmd[len(pin):])}", flush=True)
    stopped, seen, last_stop, last_report = set(), {}, 0.0, 0.0
    while any(p.poll() is None for p, *_ in procs.values()):
        time.sleep(5)
        elapsed = time.time() - t0
        smoke = procs.get("smoke")
        if smoke and smoke[0].poll() not in (None, 0):
            print("smoke run failed; stopping everything\n" + open(os.path.join(smoke[1], "log")).read()[-4000:], flush=True)
            for p, *_ in procs.values():
                p.kill()
            sys.exit(1)
        running = [(k, n) for n, (p, _, k) in procs.items() if p.poll() is None and n != "smoke"]
        steps = {n: progress(os.path.join(procs[n][1], "log")) for _, n in running}
        for n, st in steps.items():
            if st is not None:
                seen.setdefault(n, []).append((elapsed, st[0]))
        if elapsed - last_report >= 30:
            last_report = elapsed
            print(f"{elapsed:.0f}s: " + ", ".join(f"{n} {st[0]}/{st[1]}" if st else f"{n} -" for n, st in steps.items()), flush=True)
        if elapsed > args.deadline:
            for _, n in running:
                procs[n][0].kill()
                stopped.add(n)
            continue
        if not running or any(elapsed - seen.get(n, [(elapsed, 0)])[0][0] < 30 for n in steps) or elapsed - last_stop < 30:
            continue
        # the GPU is shared: all runs' remaining steps over their summed step rate in the last 30 s
        # (a window, so the speed-up after a stop counts at once)
        rate = sum(recent_rate(seen[n]) for n in steps)
        remaining = sum(t - d for d, t in steps.values())
        finish = elapsed + remaining / max(rate, 1e-9) + args.tail
        if finish > args.deadline and len(running) > 1:
            _, victim = max(running)
            procs[victim][0].kill()
            stopped.add(victim)
            last_stop = elapsed
            print(f"{elapsed:.0f}s: projected end {finish:.0f}s > deadline; stopped {victim}", flush=True)
    results = []
    for name, (p, out, _) in procs.items():
        if p.returncode == 0 and name != "smoke":
            results.append({"name": name, **dev_figures(out)})
        elif name not in stopped and name != "smoke":
            print(f"{name} failed (exit {p.returncode}):\n" + open(os.path.join(out, "log")).read()[-3000:], flush=True)
    results.sort(key=lambda r: -r["dev_sum"])
    print(f"sweep ended at {time.time() - t0:.0f}s; stopped: {sorted(stopped)}", flush=True)
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
