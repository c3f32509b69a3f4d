#!/usr/bin/env python3
"""Combines the JSON lines of bench/run.sh's programs into the issue 5 ratios.

    speed_summary.py RESULTS_DIR [--load-before "1.0 0.8 0.5"] [--load-after ...]

Prints a short table, then one JSON object (the last line):
  gemm_wasm_over_native   our WASM GEMM (Node, 1 thread) over native Eigen (1 thread),
                          GFLOP per CPU-second, at 256 and 512 (square, no transpose);
                          median over rounds that alternate native and WASM runs
  threads_2_over_1        training samples/s with 2 threads over 1 thread (wall clock),
                          WebAssembly in Node, MLP at batch 64; _detail has every case
                          (Node, native and Chromium)
  wasm_over_native_train  our training samples/s in Chromium (1 thread, wall) over native
                          (1 thread, wall); _cpu: the same per CPU-second in Node, which
                          a busy machine disturbs much less
  train_vs_tfjs_mlp/_cnn  our WebAssembly training samples/s (the faster of 1 and 2
                          threads) over TensorFlow.js's best backend, both in the same
                          headless Chromium: median over rounds measured back to back
                          (bench/browser_bench.mjs); _node: the same in Node
Ratios come from programs run one after another in the same run.sh call.
"""
import json
import os
import platform
import sys


def load(results, name):
    path = os.path.join(results, name + ".json")
    try:
        with open(path) as f:
            return json.loads(f.read())
    except (OSError, ValueError) as e:
        print(f"speed_summary: {path}: {e}", file=sys.stderr)
        return None


def median(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    return v[len(v) // 2] if len(v) % 2 else round((v[len(v) // 2 - 1] + v[len(v) // 2]) / 2, 3)


def ratio(a, b, digits=3):
    return round(a / b, digits) if a and b else None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    args = sys.argv[1:]
    results = args[0]
    opts = dict(zip(args[1::2], args[2::2]))
    gemm_native, gemm_wasm = load(results, "gemm_native"), load(results, "gemm_wasm")
    train_native, train_wasm = load(results, "train_native"), load(results, "train_wasm")
    tfjs = load(results, "tfjs_node")
    browser = load(results, "browser")

    summary = {"machine": f"{cpu_model()}, {os.cpu_count()} CPUs",
               "load_before": opts.get("--load-before"), "load_after": opts.get("--load-after")}
    if gemm_native and gemm_wasm:
        n, w = gemm_native["gflops_1t_cpu"], gemm_wasm["gflops_1t_cpu"]
        summary["gemm_wasm_over_native"] = {s: ratio(w[s], n[s]) for s in ("256", "512")}
        # Extra rounds (gemm_native_r1 / gemm_wasm_r1, ...) alternate native and WASM: median ratio.
        rounds = {s: [summary["gemm_wasm_over_native"][s]] for s in ("256", "512")}
        r = 1
        while os.path.exists(os.path.join(results, f"gemm_native_r{r}.json")):
            gn, gw = load(results, f"gemm_native_r{r}"), load(results, f"gemm_wasm_r{r}")
            if gn and gw:
                for s in rounds:
                    rounds[s].append(ratio(gw["gflops_1t_cpu"][s], gn["gflops_1t_cpu"][s]))
            r += 1
        if r > 1:
            summary["gemm_wasm_over_native"] = {s: median(v) for s, v in rounds.items()}
            summary["gemm_wasm_over_native_rounds"] = rounds
        summary["gemm_gflops_1t_cpu"] = {"native_" + gemm_native["kernel"]: {s: n[s] for s in ("256", "512")},
                                         "wasm_" + gemm_wasm["kernel"]: {s: w[s] for s in ("256", "512")}}
    if train_native and train_wasm:
        detail = {}
        for platform_name, t in (("wasm", train_wasm), ("native", train_native)):
            for model in ("mlp", "cnn"):
                if model in t:
                    detail[f"{platform_name}_{model}"] = t[model]["threads_2_over_1"]
        summary["threads_2_over_1"] = detail.get("wasm_mlp")
        summary["threads_2_over_1_detail"] = detail
        summary["wasm_over_native_train_cpu"] = {
            m: ratio(train_native[m]["cpu_ms_per_step_1t"], train_wasm[m]["cpu_ms_per_step_1t"])
            for m in ("mlp", "cnn") if m in train_native and m in train_wasm}
        summary["wasm_node_over_native_train_wall"] = {
            m: ratio(train_wasm[m]["samples_per_s_1t"], train_native[m]["samples_per_s_1t"])
            for m in ("mlp", "cnn") if m in train_native and m in train_wasm}
        summary["allocations_per_step"] = {f"{p}_{m}": t[m]["allocations_per_step"]
                                           for p, t in (("native", train_native), ("wasm", train_wasm))
                                           for m in ("mlp", "cnn") if m in t}
    if browser:
        for model in ("mlp", "cnn"):
            value = browser["train_vs_tfjs"].get(model)
            summary[f"train_vs_tfjs_{model}"] = round(value, 2) if value else None
            best = browser["tfjs_best"].get(model) or {}
            summary[f"train_samples_per_s_{model}_chromium"] = {
                "ours": browser["ours_samples_per_s"].get(model), "tfjs_best": best.get("samples_per_s"),
                "tfjs_best_backend_per_round": best.get("backends")}
        summary["train_vs_tfjs_rounds"] = {m: [round(r, 2) if r else None for r in v]
                                           for m, v in browser["train_vs_tfjs_rounds"].items()}
        summary["train_vs_tfjs_where"] = f"chromium {browser['chromium']}, {browser['rounds']} rounds"
        if train_native:
            summary["wasm_over_native_train"] = {
                m: ratio(browser["ours_samples_per_s_1t"].get(m), train_native[m]["samples_per_s_1t"])
                for m in ("mlp", "cnn") if m in train_native}
        if "threads_2_over_1_detail" in summary:
            for m, v in browser["threads_2_over_1"].items():
                summary["threads_2_over_1_detail"][f"chromium_{m}"] = v
    if train_wasm and tfjs:
        for model in ("mlp", "cnn"):
            best = tfjs["best"].get(model)
            if model in train_wasm and best:
                ours = max(train_wasm[model]["samples_per_s_1t"], train_wasm[model]["samples_per_s_2t"])
                summary[f"train_vs_tfjs_{model}_node"] = ratio(ours, best["samples_per_s"], 2)
                summary[f"train_samples_per_s_{model}_node"] = {"ours": ours,
                                                                "tfjs_" + best["backend"]: best["samples_per_s"]}

    for key, value in summary.items():
        print(f"  {key}: {value}")
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
