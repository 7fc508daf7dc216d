-- Sluice's offsets table, version 1: one row per pipeline, replaced as a whole by every save.
-- {table} stands for the configured "schema"."table".
CREATE TABLE IF NOT EXISTS {table} (
    pipeline text PRIMARY KEY,
    -- JSON object: source partition (JSON) -> offset (JSON), the "offsets" member of the offsets file
    offsets  text NOT NULL,
    saved_at timestamptz NOT NULL
)
