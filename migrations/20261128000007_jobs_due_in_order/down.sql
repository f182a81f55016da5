DROP INDEX jobs_due_idx;
CREATE INDEX jobs_due_idx ON jobs (run_at, priority) WHERE done_at IS NULL AND failed_at IS NULL;
