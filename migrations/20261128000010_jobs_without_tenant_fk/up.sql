-- Every job inserted checked its tenant's row with a key-share lock. A test-clock advance runs
-- each job in a savepoint of its own, so the tenant row gathered one locker per job in a
-- multixact that was copied whole at each new lock and read whole at each visibility check:
-- quadratic in the jobs of one advance. Jobs are written only by the service, always for the
-- tenant whose work they are (like the usage tables, which carry no foreign keys either).
ALTER TABLE jobs DROP CONSTRAINT jobs_tenant_id_fkey;
