#!/bin/sh
# Compile hnswlib-node's unchanged source with -march=native into bench/.cache/hnswlib-native,
# to measure what the SIMD kernels (AVX2/AVX-512) buy over npm's default build (SSE only,
# because binding.gyp passes no -m flags). Uses the node-gyp that ships with npm; offline.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dst="$root/bench/.cache/hnswlib-native"
rm -rf "$dst"
mkdir -p "$root/bench/.cache"
cp -r "$root/node_modules/hnswlib-node" "$dst"
rm -rf "$dst/build"
gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
[ -f "$gyp" ] || gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
nodedir=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
cd "$dst"
CXXFLAGS="-march=native" node "$gyp" rebuild --nodedir="$nodedir" >"$dst/build.log" 2>&1 || { tail -30 "$dst/build.log"; exit 1; }
echo "built $dst/build/Release/addon.node with -march=native"
