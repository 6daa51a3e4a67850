-- The syncer's view of each workflow it has seen on-chain: engine state and why it is not running.
-- state: activating | active | paused | failed. permanent = never retried (malformed attributes, workflow id mismatch).
CREATE TABLE workflow_states (
    workflow_id    varchar(64)  PRIMARY KEY,
    workflow_owner varchar(40)  NOT NULL,
    workflow_name  varchar(255) NOT NULL,
    workflow_tag   varchar(255) NOT NULL DEFAULT '',
    don_family     text         NOT NULL DEFAULT '',
    state          text         NOT NULL,
    confidential   boolean,
    last_error     text,
    failure_count  integer      NOT NULL DEFAULT 0,
    permanent      boolean      NOT NULL DEFAULT false,
    updated_at     timestamptz  NOT NULL
);

-- One row per DON family this node syncs: when the registry was last read and whether that worked.
CREATE TABLE registry_sync_state (
    don_family      text        PRIMARY KEY,
    last_synced_at  timestamptz,
    workflow_count  integer     NOT NULL DEFAULT 0,
    last_error      text,
    last_error_at   timestamptz,
    updated_at      timestamptz NOT NULL
);
