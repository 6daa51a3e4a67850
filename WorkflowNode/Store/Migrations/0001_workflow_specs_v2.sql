-- The original's workflow_specs_v2, including the confidential migration's attributes column and workflow_tag.
-- workflow = hex of the base64-decoded binary (still brotli-compressed); a row with empty workflow is a pause tombstone.
CREATE TABLE workflow_specs_v2 (
    id             SERIAL PRIMARY KEY,
    workflow       text         NOT NULL,
    config         text         DEFAULT '',
    workflow_id    varchar(64)  NOT NULL UNIQUE,
    workflow_owner varchar(40)  NOT NULL,
    workflow_name  varchar(255) NOT NULL,
    workflow_tag   varchar(255) NOT NULL DEFAULT '',
    status         text         NOT NULL DEFAULT '',
    binary_url     text         DEFAULT '',
    config_url     text         DEFAULT '',
    created_at     timestamptz  NOT NULL,
    updated_at     timestamptz  NOT NULL,
    spec_type      varchar(255) DEFAULT 'yaml',
    attributes     bytea        DEFAULT ''
);
