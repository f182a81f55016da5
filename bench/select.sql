-- bench/run.sh: a probe of the CPU alone.
SELECT 1;
