#!/usr/bin/env python3
"""Every speed target of the writer and the CLI, measured in one run.

Each figure is printed beside the reference it is a ratio of (a raw fwrite of the same bytes,
a binary-search bucketize of the same values, a copy of the same pixels, one producer
thread), measured in the same run. Given a second build folder (an earlier version built
the same way), every benchmark runs there too, just before this build's, so that before
and after share the machine's state.

    /usr/bin/python3 bench/run_targets.py [BUILD_DIR] [--baseline OTHER_BUILD_DIR]

Needs a Release build with the benchmarks (scripts/build.sh makes one), ONNX for the graph
row, and the Python module in BUILD_DIR to write the 10 M-scalar logdir that export reads.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def google_benchmark(binary, pattern, repetitions=5):
    """Medians by benchmark name (real time in ns, and the counters)."""
    out = run([binary, "--benchmark_filter=" + pattern, "--benchmark_format=json",
               "--benchmark_repetitions=%d" % repetitions,
               "--benchmark_report_aggregates_only=true"]).stdout
    medians = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = re.sub(r"(/repeats:\d+)?(/iterations:\d+)?(/real_time|/manual_time)?_median$", "",
                      b["name"])
        unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        entry = dict(b)
        entry["real_ns"] = b["real_time"] * unit
        medians[name] = entry
    return medians


def fresh_process(binary):
    text = run([binary]).stdout
    copy = float(re.search(r"copy into a new buffer\s+([\d.]+) ns", text).group(1))
    add = float(re.search(r"add_image\s+([\d.]+) ns", text).group(1))
    return copy, add


def timed_export(cli, logdir, fmt):
    """(CPU seconds, wall seconds, peak RSS in MiB) of `tblog export`, output to /dev/null."""
    cmd = ["/usr/bin/time", "-f", "%U %S %e %M", cli, "export", logdir]
    if fmt == "json":
        cmd += ["--format", "json"]
    with open(os.devnull, "w") as null:
        p = subprocess.run(cmd, stdout=null, stderr=subprocess.PIPE, text=True, check=True)
    user, system, wall, rss_kib = p.stderr.strip().splitlines()[-1].split()
    return float(user) + float(system), float(wall), int(rss_kib) / 1024


def write_scalar_logdir(build, logdir, count):
    """count scalar events over two tags, wall times a millisecond apart, through tblog itself."""
    code = """
import sys, numpy as np, tblog
count = int(sys.argv[2])
values = np.random.default_rng(1).normal(size=count).astype(np.float32).tolist()
w = tblog.SummaryWriter(sys.argv[1], max_queue=1 << 20)
add = w.add_scalar
for i in range(count):
    add("train/accuracy" if i & 1 else "train/loss", values[i], i >> 1, walltime=1.7e9 + i * 1e-3)
w.close()
"""
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "integrations", "python", "package"))
    run(["/usr/bin/python3", "-c", code, logdir, str(count)], env=env)


def measure(build, logdir):
    bench = os.path.join(build, "bench")
    r = {}
    w = google_benchmark(os.path.join(bench, "bench_writer"),
                         "AddScalar_CallerThread/|AddScalar_Threads/threads:[128]/|"
                         "MillionScalars_(EndToEnd|RawFwrite)_(Disk|Tmpfs)|"
                         "AddHistogram_MillionFloats|Bucketize_MillionFloats_BinarySearch")
    r["add_scalar_ns"] = w["BM_AddScalar_CallerThread"]["ns_per_add"] * 1e9  # a rate counter, inverted: seconds
    for t in (1, 2, 8):
        r["threads_%d" % t] = w["BM_AddScalar_Threads/threads:%d" % t]["items_per_second"]
    for where in ("Disk", "Tmpfs"):
        r["million_" + where] = (w["BM_MillionScalars_EndToEnd_" + where]["real_ns"],
                                 w["BM_MillionScalars_RawFwrite_" + where]["real_ns"])
    r["histogram"] = (w["BM_AddHistogram_MillionFloats_EndToEnd"]["real_ns"],
                      w["BM_Bucketize_MillionFloats_BinarySearch"]["real_ns"])
    r["image_copy_ns"], r["image_add_ns"] = fresh_process(os.path.join(bench, "bench_fresh_process"))
    i = google_benchmark(os.path.join(bench, "bench_images"),
                         "EncodePng224Rgb/1$|AddImage224_EndToEnd/float_chw:0/encoder_threads:[02]/",
                         repetitions=3)
    r["png_per_s"] = 1e9 / i["BM_EncodePng224Rgb/1"]["real_ns"]
    for t in (0, 2):  # batches of 16 images, until flush() returns
        r["png_end_to_end_%d" % t] = 16e9 / i["BM_AddImage224_EndToEnd/float_chw:0/encoder_threads:%d" % t]["real_ns"]
    cli = os.path.join(build, "tools", "tblog")
    r["export_csv"] = timed_export(cli, logdir, "csv")
    r["export_json"] = timed_export(cli, logdir, "json")
    graph = os.path.join(bench, "bench_graph")
    if os.path.exists(graph):
        g = google_benchmark(graph, "OnnxGraph_10000Nodes_ConvertAndWrite", repetitions=3)
        r["onnx_ms"] = g["BM_OnnxGraph_10000Nodes_ConvertAndWrite"]["real_ns"] / 1e6
    return r


def rows(r, events):
    def ratio(pair):
        return pair[0] / pair[1]
    out = []
    for where in ("Disk", "Tmpfs"):
        tb, raw = r["million_" + where]
        out.append(("1 M scalars end to end / raw fwrite of the same bytes (%s)" % where.lower(),
                    "%.1f ms / %.1f ms = **%.2f×**" % (tb / 1e6, raw / 1e6, tb / raw), "≤ 2.5×"))
    out.append(("`add_scalar` on the caller, one thread, median",
                "**%.1f ns**" % r["add_scalar_ns"], "≤ 25 ns"))
    for t, target in ((2, "≥ 1.5×"), (8, "≥ 1.2×")):
        out.append(("%d threads / 1 thread (adds/s)" % t,
                    "%.1f M/s / %.1f M/s = **%.2f×**" % (r["threads_%d" % t] / 1e6, r["threads_1"] / 1e6,
                                                        r["threads_%d" % t] / r["threads_1"]), target))
    h, b = r["histogram"]
    out.append(("`add_histogram` of 1 M floats end to end / binary-search bucketize",
                "%.1f ms / %.1f ms = **%.2f×**" % (h / 1e6, b / 1e6, h / b), "≤ 0.2×"))
    out.append(("`add_image` 64×64×3 on the caller, fresh process / copy into a new buffer",
                "%.0f ns / %.0f ns = **%.1f×**" % (r["image_add_ns"], r["image_copy_ns"],
                                                   r["image_add_ns"] / r["image_copy_ns"]), "≤ 2×"))
    out.append(("224×224 photo-like PNG, default level, one encoder thread",
                "**%.0f images/s**" % r["png_per_s"], "≥ 1,500/s"))
    out.append(("… `add_image` 224×224 end to end (copy, encode, write, until `flush()`), 0 / 2 encoder threads",
                "%.0f / **%.0f images/s**" % (r["png_end_to_end_0"], r["png_end_to_end_2"]), "—"))
    for fmt in ("csv", "json"):
        cpu, wall, rss = r["export_" + fmt]
        out.append(("`tblog export` %s of %d M scalars (user+sys; peak RSS)" % (fmt.upper(), events // 1000000),
                    "%.2f s, **%.1f M/s**; **%.1f MiB**" % (cpu, events / cpu / 1e6, rss),
                    "≥ 15 M/s, ≤ 64 MB"))
    if "onnx_ms" in r:
        out.append(("10,000-node ONNX graph converted and written", "**%.0f ms**" % r["onnx_ms"], "≤ 100 ms"))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default="build")
    parser.add_argument("--baseline", help="an earlier build folder, measured alternately")
    parser.add_argument("--export-events", type=int, default=10_000_000)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="tblog-targets-")
    try:
        logdir = os.path.join(scratch, "logdir")
        write_scalar_logdir(args.build, logdir, args.export_events)
        builds = ([args.baseline] if args.baseline else []) + [args.build]
        results = {b: measure(b, logdir) for b in builds}
        header = "| figure | " + " | ".join(builds) + " | target |"
        print(header)
        print("|---" * (len(builds) + 2) + "|")
        table = [rows(results[b], args.export_events) for b in builds]
        for i, (name, _, target) in enumerate(table[0]):
            cells = [t[i][1] if i < len(t) else "—" for t in table]
            print("| %s | %s | %s |" % (name, " | ".join(cells), target))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
