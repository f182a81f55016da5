-- The lines' immutability check looks its invoice up by primary key. PL/pgSQL keeps the plan it
-- made first; made while `invoices` was small (a new database, or statistics from then), that
-- plan is a sequential scan, and one transaction writing thousands of invoices (a test-clock
-- advance closing every period) then scans them all for each line: quadratic. Plan it for the
-- table as it is at each call.
ALTER FUNCTION invoice_lines_immutable() SET plan_cache_mode = force_custom_plan;
