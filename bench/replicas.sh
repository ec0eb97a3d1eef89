#!/usr/bin/env bash
# Three `catalog serve` replicas on one throwaway PostgreSQL registry (Tests/CatalogServerTests/ReplicaTests.swift):
# 1,000 write-then-read pairs on random replicas, the scheduler's leader killed with SIGKILL 20 times,
# and the registry stopped and started. Prints the tests' `REPLICAS …` figure lines.
#   bench/replicas.sh                 # after `swift build --build-tests`; uses the debug `catalog`
#   CATALOG_REPLICA_PAIRS=200 CATALOG_REPLICA_KILLS=5 bench/replicas.sh    # a smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
CATALOG_REPLICA_TESTS=1 swift test --skip-build --filter ReplicaTests >"$log" 2>&1 || { tail -40 "$log"; exit 1; }
grep -E '^REPLICAS|Test run with' "$log"
