#!/usr/bin/env bash
# Installs, through apt, whatever the build, tests, demo and benchmark need
# and this machine lacks. Safe to run again: it only installs what is missing.
#   scripts/install-deps.sh          # build + tests + demo
#   scripts/install-deps.sh bench    # also the benchmark peers
set -euo pipefail

# pg_prove comes from libtap-parser-sourcehandler-pgtap-perl, which
# postgresql-15-pgtap only recommends. Chromium renders the HTML training
# report in test/scripts/report_browser.sh (headless). Valgrind runs every
# backend of scripts/stress.sh.
packages=(g++ make cmake pkg-config postgresql-15 postgresql-server-dev-15 postgresql-15-cron
    postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl nlohmann-json3-dev libgtest-dev clang
    libclang-rt-14-dev python3 chromium valgrind)
if [ "${1:-}" = bench ]; then
    # bench/serving.sh: the seed's service (FastAPI, uvicorn) and wrk;
    # bench/statement_cost.sh --profile: perf; bench/scale.sh: GNU time;
    # bench/kernels: Google Benchmark, LIBLINEAR, Eigen (the alternatives
    # the kernels were measured against).
    packages+=(python3-sklearn fasttext python3-fasttext python3-fastapi python3-uvicorn wrk curl linux-perf time
        libbenchmark-dev liblinear-dev libeigen3-dev)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
fi
# The Debian server package would otherwise create and start a default
# cluster on port 5432 that nothing here uses.
mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/pg_intent.conf
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
