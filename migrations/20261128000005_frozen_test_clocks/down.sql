ALTER TABLE test_clocks ADD COLUMN offset_us bigint;
UPDATE test_clocks SET offset_us = greatest(0, (extract(epoch FROM frozen_at - updated_at) * 1000000)::bigint);
ALTER TABLE test_clocks ALTER COLUMN offset_us SET NOT NULL;
ALTER TABLE test_clocks ADD CONSTRAINT test_clocks_offset_us_check CHECK (offset_us >= 0);
ALTER TABLE test_clocks DROP COLUMN frozen_at;
