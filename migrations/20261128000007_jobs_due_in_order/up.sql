-- Jobs are claimed in (run_at, priority, id) order; with the id in the index, a test-clock
-- advance that runs many jobs in one transaction seeks past the ones it has done instead of
-- stepping over them again on every claim (which made an advance quadratic in its jobs).
DROP INDEX jobs_due_idx;
CREATE INDEX jobs_due_idx ON jobs (run_at, priority, id) WHERE done_at IS NULL AND failed_at IS NULL;
