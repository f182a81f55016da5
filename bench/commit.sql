UPDATE bench_commit SET n = n + 1 WHERE id = 1;
