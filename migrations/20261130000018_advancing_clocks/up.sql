-- An advance commits as it goes, so a test clock can stand between two of its steps. While it
-- advances, its tenant's test-mode jobs are the advance's to run, in order: the background
-- workers leave them alone until this lease ends (cleared when the advance is done, or expired
-- if it was cut short).
ALTER TABLE test_clocks ADD COLUMN advancing_until timestamptz;
