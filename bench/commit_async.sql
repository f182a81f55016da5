-- bench/run.sh: the commit probe without waiting for the WAL flush.
SET synchronous_commit = off;
UPDATE bench_commit SET n = n + 1 WHERE id = 1;
