#!/usr/bin/env bash
# Journal memory (loopback only, 1000 requests, then stops) with and without kept bodies: 1000 listings, then RSS and the HAR's size.
set -euo pipefail
bin="${TOOKEN_MOCK_BIN:-target/debug/tooken-mock}"
for bytes in 0 65536; do
  TOOKEN__ADMIN__JOURNAL_BODY_BYTES=$bytes $bin --port 18231 --now 2026-05-01T00:00:00Z >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -fs http://127.0.0.1:18231/healthz >/dev/null && break; sleep 0.1; done
  before=$(ps -o rss= -p $pid)
  for i in $(seq 1000); do
    curl -fs -o /dev/null -H 'Authorization: Bearer tok_live_AcmeAuditReadOnlyKey2026Demo0001' "http://127.0.0.1:18231/v1/tokens?per_page=$(( i % 25 + 1 ))"
  done
  after=$(ps -o rss= -p $pid)
  size=$(curl -fs "http://127.0.0.1:18231/__admin/requests?format=har&limit=1000" | wc -c)
  start=$(date +%s%N)
  curl -fs -o /dev/null "http://127.0.0.1:18231/__admin/requests?format=har&limit=1000"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "journal_body_bytes=$bytes: RSS ${before} KiB -> ${after} KiB after 1000 listings; HAR of 1000 entries: ${size} bytes, served in ${ms} ms"
  kill $pid; wait $pid 2>/dev/null || true
done
