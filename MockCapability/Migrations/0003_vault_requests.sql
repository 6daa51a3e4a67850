-- Every secret vault@1.0.0 was asked for, with its outcome; never the secret's value.
CREATE TABLE IF NOT EXISTS vault_requests (
    id                    bigserial PRIMARY KEY,
    owner                 text        NOT NULL,
    namespace             text        NOT NULL,
    key                   text        NOT NULL,
    outcome               text        NOT NULL,
    encryption_keys       integer     NOT NULL,
    workflow_id           text        NOT NULL,
    workflow_execution_id text        NOT NULL,
    caller_don_id         bigint      NOT NULL,
    caller_nodes          text[]      NOT NULL,
    received_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS vault_requests_workflow ON vault_requests (workflow_id);
CREATE INDEX IF NOT EXISTS vault_requests_execution ON vault_requests (workflow_execution_id);
