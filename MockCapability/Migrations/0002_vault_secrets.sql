-- vault@1.0.0 secrets: (owner lower-case 0x, namespace, key) -> value.
CREATE TABLE IF NOT EXISTS vault_secrets (
    owner      text        NOT NULL,
    namespace  text        NOT NULL,
    key        text        NOT NULL,
    value      text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, namespace, key)
);
