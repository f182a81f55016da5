ALTER TABLE test_clocks DROP COLUMN advancing_until;
