DROP TABLE subscriptions;
DROP TABLE customers;
DROP TABLE plan_versions;
DROP TABLE plans;
DROP TABLE features;
