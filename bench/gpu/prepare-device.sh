#!/usr/bin/env bash
# Builds the folder that a GPU machine without Node, npm or network needs to run bench/gpu/device-run.sh:
#
#   OUT/payload.tar.xz   node (this machine's binary) and the bench:gpu bundle (bench, accuracy, memory;
#                        Dawn for linux-x64), xz-compressed: node alone is ~100 MB
#   OUT/gl/*.deb         the Vulkan loader and the GL libraries NVIDIA's Vulkan driver loads, from Debian
#                        (amd64), unpacked there with dpkg -x only where libvulkan.so.1 is missing
#   OUT/fashion-mnist/   the first 9,000 training and 1,000 test images of Fashion-MNIST (IDX, gzip)
#   OUT/device-run.sh, OUT/reference.py   the run itself and the PyTorch reference
#
#   bash bench/gpu/prepare-device.sh [OUT]     # OUT defaults to .device in this repository
#
# Needs this repository's node_modules (esbuild, webgpu), apt-get (Debian's archive), python3, xz, and
# Fashion-MNIST in /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$repo/.device}")
fashion=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
rm -rf "$out"
mkdir -p "$out/gl" "$out/fashion-mnist" "$stage/payload"

node "$repo/scripts/bundle-bench-gpu.mjs" --out "$stage/payload/bundle"
cp "$(readlink -f "$(command -v node)")" "$stage/payload/node"
tar -C "$stage/payload" -cf - . | xz -T0 -6 >"$out/payload.tar.xz"

# As /work/.library/device/README.md says for Vulkan on those machines: amd64 packages, lists kept apart.
lists=$stage/apt-lists
mkdir -p "$lists/partial"
apt=(-qq -oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
apt-get "${apt[@]}" update
(cd "$out/gl" && apt-get "${apt[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)

python3 - "$fashion" "$out/fashion-mnist" <<'PY'
import gzip, os, sys
source, target = sys.argv[1:]
def subset(base, count):
    path = os.path.join(source, base + ".gz")
    data = gzip.open(path).read() if os.path.exists(path) else open(os.path.join(source, base), "rb").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    item = 1
    for side in shape[1:]:
        item *= side
    header = data[:4] + count.to_bytes(4, "big") + data[8:4 + 4 * dims]
    with gzip.open(os.path.join(target, base + ".gz"), "wb") as f:
        f.write(header + data[4 + 4 * dims: 4 + 4 * dims + count * item])
for base, count in [("train-images-idx3-ubyte", 9000), ("train-labels-idx1-ubyte", 9000),
                    ("t10k-images-idx3-ubyte", 1000), ("t10k-labels-idx1-ubyte", 1000)]:
    subset(base, count)
PY

cp "$repo/bench/gpu/device-run.sh" "$repo/bench/gpu/reference.py" "$out/"
du -sh "$out"/* | sed "s|$out/||"
echo "total: $(du -sh "$out" | cut -f1) in $out"
