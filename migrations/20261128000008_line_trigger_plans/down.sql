ALTER FUNCTION invoice_lines_immutable() RESET plan_cache_mode;
