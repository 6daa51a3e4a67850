-- When a workflow entered its current state (activating, active, paused, failed), for "active since" in the explorer,
-- and the trace an execution ran in (OpenTelemetry trace id, hex), for a link to it in the dashboard.
ALTER TABLE workflow_states ADD COLUMN state_since timestamptz;
UPDATE workflow_states SET state_since = updated_at WHERE state_since IS NULL;
ALTER TABLE workflow_executions ADD COLUMN trace_id varchar(32);
