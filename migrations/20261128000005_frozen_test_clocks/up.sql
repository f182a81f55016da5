-- Test clocks stand still between advances (as Stripe's do): a clock is the instant it was
-- advanced to, no longer an offset from the instance clock that keeps running.
ALTER TABLE test_clocks ADD COLUMN frozen_at timestamptz;
UPDATE test_clocks SET frozen_at = updated_at + offset_us * interval '1 microsecond';
ALTER TABLE test_clocks ALTER COLUMN frozen_at SET NOT NULL;
ALTER TABLE test_clocks DROP COLUMN offset_us;
