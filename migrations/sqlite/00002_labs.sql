-- +goose Up
CREATE TABLE lab_instances (
    id               TEXT PRIMARY KEY,
    trainee_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scenario_id      TEXT NOT NULL,
    scenario_version INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'provisioning', 'running', 'stopping', 'stopped', 'failed')),
    step             TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    extensions       INTEGER NOT NULL DEFAULT 0,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    started_at       DATETIME,
    stopped_at       DATETIME,
    expires_at       DATETIME NOT NULL
);
-- At most one active lab per trainee, enforced by the database so that any
-- number of concurrent launches yields exactly one.
CREATE UNIQUE INDEX lab_instances_one_active_per_trainee ON lab_instances (trainee_id)
    WHERE state IN ('pending', 'provisioning', 'running', 'stopping');
CREATE INDEX lab_instances_state_expiry ON lab_instances (state, expires_at);
CREATE INDEX lab_instances_trainee ON lab_instances (trainee_id, created_at);

-- Subnets held by active labs; a subnet is held by one lab at a time.
CREATE TABLE lab_subnets (
    subnet      TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES lab_instances (id) ON DELETE CASCADE,
    network     TEXT NOT NULL
);
CREATE INDEX lab_subnets_instance ON lab_subnets (instance_id);

-- +goose Down
DROP TABLE lab_subnets;
DROP TABLE lab_instances;
