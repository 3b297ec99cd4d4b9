#!/usr/bin/env bash
# The GPU benchmark (npm run bench:gpu), packed for a machine with a GPU and
# no network, where node, ffmpeg and even the Vulkan loader may be missing.
#
# Here, in the repository (npm ci done):
#   bench/gpu-offline-pack.sh pack DIR
# makes DIR self-contained: the benchmark bundled into one file, the webgpu
# package's dawn.node, this machine's node and the bundled ffmpeg (both
# xz-compressed), PyTorch's side of the benchmark, the Vulkan loader's .deb
# (when apt-get can fetch it) and this script.
#
# There:
#   DIR/gpu-offline-pack.sh run [--node PATH] [--icd FILE] [--quick]
# prints the GPU, then bench:gpu's figures: W1, W3 and W3 at 1920x1080 on the
# GPU, on one CPU thread and in PyTorch (CUDA), the MP4 encoder's ceiling, and
# a 10 s 1920x1080 60 fps render to MP4 with where its time goes.
#   --node PATH  the node to run (default: node on PATH if 20 or later, else the packed one)
#   --icd FILE   the Vulkan driver's ICD file (default: VK_DRIVER_FILES or
#                VK_ICD_FILENAMES if set, else NVIDIA's where the container puts it)
#   --quick      tiny sizes instead: a check that everything runs, e.g. here on
#                SwiftShader: --icd /usr/lib/chromium/vk_swiftshader_icd.json
# A Vulkan loader the machine lacks is unpacked into a folder of its own
# beside the work files and found through LD_LIBRARY_PATH; nothing is
# installed into the system.
set -euo pipefail

usage() {
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

pack() {
  local dir=$1 root
  root=$(cd "$(dirname "$0")/.." && pwd)
  mkdir -p "$dir/node_modules/webgpu/dist/linux-x64"
  dir=$(cd "$dir" && pwd)
  # MP4 needs no canvas (PNG, drawing): a stand-in keeps its native library behind.
  (cd "$root" && npx esbuild bench/gpu-bench.ts --bundle --platform=node --format=esm --target=node20 --external:webgpu \
    --alias:@napi-rs/canvas=./bench/canvas-absent.ts \
    --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" \
    --outfile="$dir/gpu-bench.mjs" --log-level=warning)
  cp "$root/bench/gpu_torch.py" "$dir/"
  cp "$root/node_modules/webgpu/package.json" "$root/node_modules/webgpu/index.js" "$dir/node_modules/webgpu/"
  xz -T0 -6 -c "$root/node_modules/webgpu/dist/linux-x64/dawn.node" >"$dir/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
  xz -T0 -6 -c "$(command -v node)" >"$dir/node.xz"
  xz -T0 -6 -c "$root/node_modules/@ffmpeg-installer/linux-x64/ffmpeg" >"$dir/ffmpeg.xz"
  mkdir -p "$dir/debs"
  # The Vulkan loader for an amd64 machine, whatever this one is: its package is fetched with a private package list.
  local lists=/tmp/cppn-motion-apt-amd64
  mkdir -p "$lists/partial"
  local o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
  if apt-get "${o[@]}" update >/dev/null 2>&1 && (cd "$dir/debs" && apt-get "${o[@]}" download libvulkan1 >/dev/null 2>&1); then :; else
    echo "note: no Vulkan loader .deb fetched; the GPU machine must have libvulkan.so.1" >&2
  fi
  cp "$0" "$dir/gpu-offline-pack.sh"
  chmod +x "$dir/gpu-offline-pack.sh"
  du -sh "$dir"
}

run() {
  local here node="" icd="" quick=""
  here=$(cd "$(dirname "$0")" && pwd)
  while [ $# -gt 0 ]; do
    case $1 in
      --node) [ $# -ge 2 ] || usage; node=$2; shift 2 ;;
      --icd) [ $# -ge 2 ] || usage; icd=$2; shift 2 ;;
      --quick) quick=1; shift ;;
      *) usage ;;
    esac
  done
  if [ -n "$icd" ] && [ ! -f "$icd" ]; then
    echo "error: --icd $icd: no such file (a Vulkan driver's ICD .json, e.g. /usr/share/vulkan/icd.d/nvidia_icd.json)" >&2
    exit 2
  fi
  local work=${TMPDIR:-/tmp}/cppn-motion-gpu-bench
  mkdir -p "$work"
  if [ -z "$node" ]; then
    if command -v node >/dev/null && node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then node=$(command -v node)
    else xz -dc "$here/node.xz" >"$work/node" && chmod +x "$work/node" && node=$work/node; fi
  fi
  [ -f "$here/node_modules/webgpu/dist/linux-x64/dawn.node" ] || xz -dc "$here/node_modules/webgpu/dist/linux-x64/dawn.node.xz" >"$here/node_modules/webgpu/dist/linux-x64/dawn.node"
  if [ -z "${FFMPEG_PATH:-}" ]; then
    xz -dc "$here/ffmpeg.xz" >"$work/ffmpeg" && chmod +x "$work/ffmpeg"
    export FFMPEG_PATH=$work/ffmpeg
  fi
  if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
    # Unpacked into a prefix of its own, not into the system.
    local prefix=$work/vulkan-loader
    mkdir -p "$prefix"
    for deb in "$here"/debs/*.deb; do [ -f "$deb" ] && dpkg -x "$deb" "$prefix"; done
    local libs
    libs=$(find "$prefix" -name 'libvulkan.so.1' -printf '%h\n' 2>/dev/null | head -n 1)
    if [ -n "$libs" ]; then export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    else echo "note: this machine has no libvulkan.so.1 and none was packed; the GPU will not be found" >&2; fi
  fi
  local nvidia=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -n "$icd" ]; then export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
  elif [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia" ]; then export VK_DRIVER_FILES=$nvidia; fi
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
  command -v nvidia-smi >/dev/null && nvidia-smi -L || true
  echo "node $("$node" --version), ffmpeg $FFMPEG_PATH"
  if [ -n "$quick" ]; then
    "$node" "$here/gpu-bench.mjs" --size 64x64 --frames 4 --render 64x64@12x1
  else
    "$node" "$here/gpu-bench.mjs" --frames 60 --render 1920x1080@60x10
  fi
}

case ${1:-} in
  pack) [ $# -eq 2 ] || usage; pack "$2" ;;
  run) shift; run "$@" ;;
  *) usage ;;
esac
