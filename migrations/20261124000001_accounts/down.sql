DROP TABLE idempotency_keys;
DROP TABLE secret_keys;
DROP TABLE users;
DROP TABLE tenants;
