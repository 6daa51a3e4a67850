#!/usr/bin/env bash
# Regenerates docs/dashboard-trace.png: the Aspire dashboard's trace view of one confidential execution.
# Starts the built AppHost (run `dotnet build` first) with the default topology and telemetry on, deploys and fires the
# confidential sample through the explorer's JSON API, and photographs /traces/detail/<traceId> with headless Chromium.
# The dashboard runs without its login token for this run only (ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-docs/dashboard-trace.png}
log=$(mktemp)
dash=http://localhost:18888
explorer=http://127.0.0.1:19006
export DOTNET_ENVIRONMENT=Development ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
       ASPNETCORE_URLS=$dash ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:18889 ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:18890
AppHost/bin/Debug/net10.0/CreAspire.AppHost > "$log" 2>&1 &
apphost=$!
stop() { kill -TERM "$apphost" 2>/dev/null || true; wait "$apphost" 2>/dev/null || true; rm -f "$log"; }
trap stop EXIT

deadline=$((SECONDS + 300))
until grep -q "resources are up" "$log"; do
  if ! kill -0 "$apphost" 2>/dev/null || [ $SECONDS -gt $deadline ]; then echo "the AppHost did not come up:"; tail -30 "$log"; exit 1; fi
  sleep 1
done

deploy=$(curl -sf --max-time 120 -X POST $explorer/api/workflows -H 'content-type: application/json' \
  -d '{"sample":"confidential-mock","name":"trace-screenshot","confidential":true}')
workflow=$(echo "$deploy" | python3 -c 'import json,sys; print(json.load(sys.stdin)["workflowId"])')
fire=$(curl -sf --max-time 120 -X POST $explorer/api/workflows/$workflow/fire)
execution=$(echo "$fire" | python3 -c 'import json,sys; print(json.load(sys.stdin)["executionId"])')
trace=${execution:0:32}   # every hop's spans carry the trace id derived from the execution id (docs/ARCHITECTURE.md)
echo "workflow $workflow, execution $execution, trace $trace"

deadline=$((SECONDS + 60))
until curl -sf --max-time 10 "$explorer/api/workflows/$workflow/executions" | grep -q '"succeeded"'; do
  [ $SECONDS -gt $deadline ] && { echo "the execution did not succeed within 60 s"; exit 1; }
  sleep 0.5
done
sleep 3   # the services export spans in 1 s batches

chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1600,1100 --virtual-time-budget=20000 \
  --screenshot="$out" "$dash/traces/detail/$trace" 2>/dev/null
echo "wrote $out"
