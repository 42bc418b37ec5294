#!/usr/bin/env bash
# The GPU figures of issue 15 (and the worker count of issue 10) in one run on a GPU machine that has
# python3 (PyTorch) but no Node, npm or network. Run it from the folder bench/gpu/prepare-device.sh
# built (it holds a copy of this script):
#
#   bash .device/device-run.sh                 # results in $OUT (default .device/out): at most 8 files
#   DEVICE_RUN_QUICK=1 bash .device/device-run.sh   # tiny sizes, to test the script on lavapipe
#
# Steps, most important first; each has its own time limit, cut to what is left of the whole run's
# (DEVICE_RUN_BUDGET_S, default 400 s), and the run goes on when one fails:
#   nvidia-smi · backend probes · PyTorch img/s (torch.json) · bench:gpu on webgpu, ours ÷ PyTorch
#   (bench-webgpu.json) · Fashion-MNIST accuracy, webgpu and PyTorch (accuracy.json) · 1/4/8 processes
#   sharing the GPU (processes.json) · 100 candidates' GPU memory (memory.json) · stock tfjs-webgpu
#   kernels (bench-stock.json) · summary.json (the figures that matter, each step's status) · log.txt
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$here/out}
mkdir -p "$OUT"
quick=${DEVICE_RUN_QUICK:-0}
python=${PYTHON:-python3}
began=$(date +%s)
if [ "$quick" = 1 ]; then budget=${DEVICE_RUN_BUDGET_S:-3000}; else budget=${DEVICE_RUN_BUDGET_S:-400}; fi
deadline=$((began + budget))
work=$(mktemp -d /tmp/gennerator-device.XXXXXX)
steps=$work/steps.tsv
: >"$steps"

log() { echo "[$(($(date +%s) - began))s] $*" | tee -a "$OUT/log.txt" >&2; }

# step NAME LIMIT_S STDOUT_FILE COMMAND...: stdout to the file, stderr to log.txt, a line in steps.tsv.
step() {
  local name=$1 limit=$2 file=$3
  shift 3
  local left=$((deadline - $(date +%s) - 15))
  if [ "$left" -lt 10 ]; then
    log "$name: skipped, no time left"
    printf '%s\tskipped\t0\n' "$name" >>"$steps"
    return 1
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  log "$name (limit ${limit}s): $*"
  local started=$(date +%s) status
  timeout -k 5 "$limit" "$@" >"$file" 2> >(grep -v --line-buffered 'artificially reduced' >>"$OUT/log.txt")
  status=$?
  local seconds=$(($(date +%s) - started))
  case $status in
    0) log "$name: ok in ${seconds}s" ;;
    124 | 137) log "$name: TIMED OUT after ${seconds}s" ;;
    *) log "$name: FAILED (exit $status) after ${seconds}s" ;;
  esac
  printf '%s\t%s\t%s\n' "$name" "$status" "$seconds" >>"$steps"
  return "$status"
}

log "device run: quick=$quick, budget ${budget}s, out $OUT"

# The Vulkan loader (and the GL libraries NVIDIA's Vulkan driver needs), only where it is missing.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1 '; then
  log "no libvulkan.so.1: unpacking $(ls "$here"/gl/*.deb 2>/dev/null | wc -l) packages from gl/"
  for f in "$here"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nvidia_icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$nvidia_icd __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
log "Vulkan: $(ldconfig -p | grep -m1 'libvulkan\.so\.1 ' | sed 's/.*=> //'); ICDs: ${VK_DRIVER_FILES:-$(ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>/dev/null | tr '\n' ' ')}"
export XDG_RUNTIME_DIR=$work

# Node and the bundle (python3's lzma: the machine may have no xz).
"$python" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$here/payload.tar.xz" "$work" || log "payload: could not unpack"
node=$work/node
bundle=$work/bundle
log "node $("$node" --version 2>&1)"

if [ "$quick" = 1 ]; then
  bench_size=(--nets small-cnn,vgg6 --batch-sizes 2 --steps 2 --warmup 1)
  proc_size=(--nets small-cnn --batch-sizes 2 --steps 2 --warmup 1)
  proc_counts=(1 2)
  torch_size=(--steps 2 --warmup 1)
  accuracy_size=(--train 200 --test 100 --epochs 1)
  memory_size=(--candidates 3 --samples 16 --batch 8 --width 2)
else
  bench_size=(--steps 50 --seconds 10)
  proc_size=(--nets small-cnn --steps 40 --warmup 3)
  proc_counts=(1 4 8)
  torch_size=(--steps 50 --warmup 5)
  accuracy_size=(--epochs 2)
  memory_size=(--candidates 100)
fi

step nvidia-smi 20 "$work/nvidia-smi.csv" nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,utilization.gpu --format=csv,noheader
nvidia-smi >>"$OUT/log.txt" 2>&1
step probes 60 "$work/probes.json" "$node" "$bundle/bench-gpu.mjs" --probes
step torch-speed 90 "$OUT/torch.json" "$python" "$here/reference.py" "${torch_size[@]}"
reference=()
grep -q '"nets"' "$OUT/torch.json" 2>/dev/null && reference=(--reference "$OUT/torch.json")
step bench-webgpu 150 "$OUT/bench-webgpu.json" "$node" "$bundle/bench-gpu.mjs" --backends webgpu "${bench_size[@]}" "${reference[@]}"
step accuracy-webgpu 120 "$work/accuracy-webgpu.json" "$node" "$bundle/gpu-accuracy.mjs" --data "$here/fashion-mnist" "${accuracy_size[@]}"
step accuracy-torch 90 "$work/accuracy-torch.json" "$python" "$here/reference.py" --data "$here/fashion-mnist" "${accuracy_size[@]}"
for n in "${proc_counts[@]}"; do
  step "processes-$n" 75 "$work/processes-$n.json" "$node" "$bundle/bench-gpu.mjs" --backends webgpu --processes "$n" "${proc_size[@]}"
done
step memory 150 "$OUT/memory.json" "$node" "$bundle/gpu-memory.mjs" "${memory_size[@]}"
GENNERATOR_WEBGPU_KERNELS=none step bench-stock 120 "$OUT/bench-stock.json" "$node" "$bundle/bench-gpu.mjs" --backends webgpu "${bench_size[@]}" --no-profile "${reference[@]}"

# One summary of everything above; missing or broken files are named, not fatal.
"$python" - "$work" "$OUT" "$steps" <<'PY' || log "summary: FAILED"
import glob, json, os, sys
work, out, steps_file = sys.argv[1:]
def load(path):
    try:
        with open(path) as f:
            text = f.read().strip()
        return json.loads(text.splitlines()[-1]) if text else None
    except Exception as error:
        return {"unreadable": f"{os.path.basename(path)}: {error}"}
def figures(bench):
    nets = (((bench or {}).get("backends") or {}).get("webgpu") or {}).get("nets") or {}
    return {f"{net} batch {batch}": {k: f.get(k) for k in ("images_per_s", "step_ms", "dispatches_per_step", "submits_per_step", "kernel_total_ms")}
            for net, by_batch in nets.items() for batch, f in by_batch.items()}
bench, stock, torch = load(f"{out}/bench-webgpu.json"), load(f"{out}/bench-stock.json"), load(f"{out}/torch.json")
processes = {os.path.basename(path)[len("processes-"):-len(".json")]: load(path)
             for path in sorted(glob.glob(f"{work}/processes-*.json"), key=lambda p: int(p.split("-")[-1][:-5]))}
def shared_small_cnn(result):
    nets = (((result or {}).get("shared") or {}).get("webgpu") or {}).get("nets") or {}
    return {batch: {"summed": f.get("summed_images_per_s"), "wall": f.get("wall_images_per_s")} for batch, f in nets.get("small-cnn", {}).items()}
with open(f"{out}/processes.json", "w") as f:
    json.dump(processes, f)
accuracy = {"webgpu": load(f"{work}/accuracy-webgpu.json"), "pytorch": load(f"{work}/accuracy-torch.json")}
with open(f"{out}/accuracy.json", "w") as f:
    json.dump(accuracy, f)
memory = load(f"{out}/memory.json") or {}
readings = memory.get("readings") or {}
probes = (load(f"{work}/probes.json") or {}).get("probes") or []
summary = {
    "gpu": open(f"{work}/nvidia-smi.csv").read().strip() if os.path.exists(f"{work}/nvidia-smi.csv") else None,
    "webgpu_probe": next((p for p in probes if p.get("name") == "webgpu"), None),
    "ours": figures(bench),
    "stock_tfjs_webgpu": figures(stock),
    "pytorch": torch.get("nets") if isinstance(torch, dict) else None,
    "ours_over_pytorch": (bench or {}).get("ratio_to_reference", {}).get("webgpu"),
    "targets_h200": {"small-cnn batch 64": 4000, "small-cnn batch 256": 12000, "vgg6 batch 128": 4000},
    "processes_small_cnn_images_per_s": {n: shared_small_cnn(r) for n, r in processes.items()},
    "accuracy": {k: (v or {}).get("test_accuracy") for k, v in accuracy.items()},
    "memory": {"unchanged": memory.get("unchanged"), "statuses": memory.get("statuses"),
               "after_first": readings.get("after_first"), "after_all": readings.get("after_all"), "start": readings.get("start")},
    "steps": [dict(zip(("step", "exit", "seconds"), line.rstrip("\n").split("\t"))) for line in open(steps_file)],
}
with open(f"{out}/summary.json", "w") as f:
    json.dump(summary, f, indent=1)
print(json.dumps(summary, indent=1))
PY
log "device run done in $(($(date +%s) - began))s; files: $(ls "$OUT" | tr '\n' ' ')"
rm -rf "$work"
