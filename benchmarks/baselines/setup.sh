#!/usr/bin/env bash
# Installs what the baseline benchmarks need and builds the Broker 1.4 programs.
# Idempotent: apt-get runs only when a package is missing, and a program is rebuilt only
# when its source is newer than the binary. Not part of CI's test run; the benchmark
# scripts call it before measuring.
#
#   libbroker-dev, libcaf-dev   Broker 1.4 headers and libraries (Debian builds 1.4 on CAF 0.17;
#                               Broker's headers include CAF's, which libbroker-dev does not pull in)
#   python3-broker              Broker 1.4's Python bindings (import broker)
#   nats-server                 the NATS baseline's server
#   g++                         to build the C++ programs
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
packages=(libbroker-dev libcaf-dev python3-broker nats-server g++)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} > 0)); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "setup.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

src="$here/broker14"
build="$src/build"
mkdir -p "$build"
pids=()
for prog in receiver sender ping pong; do
  out="$build/broker14-$prog"
  if [ ! -x "$out" ] || [ "$src/$prog.cc" -nt "$out" ] || [ "$src/bench_common.hh" -nt "$out" ]; then
    echo "setup.sh: building $out" >&2
    # Build beside the target and rename, so that a failed or interrupted build never
    # leaves a half-written binary that looks up to date.
    ( g++ -std=c++17 -O2 -Wall -o "$out.tmp" "$src/$prog.cc" \
        -lbroker -lcaf_core -lcaf_io -lcaf_openssl -lpthread && mv "$out.tmp" "$out" ) &
    pids+=("$!")
  fi
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
if [ "$status" -ne 0 ]; then
  echo "setup.sh: building the Broker 1.4 programs failed" >&2
  exit 1
fi
