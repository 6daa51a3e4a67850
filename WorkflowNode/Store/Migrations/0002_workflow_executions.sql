-- One row per execution; the execution id (sha256(workflowId ‖ triggerEventId)) makes a repeated trigger idempotent.
CREATE TABLE workflow_executions (
    execution_id     varchar(64) PRIMARY KEY,
    workflow_id      varchar(64) NOT NULL,
    trigger_id       text        NOT NULL,
    trigger_event_id text        NOT NULL,
    status           text        NOT NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    result           bytea,
    error            text
);
CREATE INDEX workflow_executions_workflow_id ON workflow_executions (workflow_id, started_at DESC);
CREATE INDEX workflow_executions_status ON workflow_executions (status);
