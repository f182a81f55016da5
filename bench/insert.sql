INSERT INTO bench_insert (id, payload) VALUES (gen_random_uuid(), 'x');
