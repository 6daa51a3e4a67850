-- Every request mock@1.0.0 executed, as received through the remote capability server.
CREATE TABLE IF NOT EXISTS mock_requests (
    id                    bigserial PRIMARY KEY,
    capability_id         text        NOT NULL,
    method                text        NOT NULL,
    workflow_id           text        NOT NULL,
    workflow_owner        text        NOT NULL,
    workflow_execution_id text        NOT NULL,
    reference_id          text        NOT NULL,
    caller_don_id         bigint      NOT NULL,
    caller_nodes          text[]      NOT NULL,
    payload               bytea       NOT NULL,
    received_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mock_requests_workflow ON mock_requests (workflow_id);
CREATE INDEX IF NOT EXISTS mock_requests_execution ON mock_requests (workflow_execution_id);
