-- 021_instances.sql - several app servers on one database: job leases.
--
-- A running job belongs to the instance named by lease_owner until
-- lease_until (ISO-8601 UTC, computed by the instance). The owner renews
-- the lease while the job runs; another instance that finds it expired
-- takes the job over (src/domain/jobs/job.c, job_sweep). cancel_requested
-- is set by an instance that is asked to cancel a job another live
-- instance runs; the owner's lease keeper passes it to the worker.
ALTER TABLE jobs ADD COLUMN lease_owner TEXT;
ALTER TABLE jobs ADD COLUMN lease_until TEXT;
ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_lease ON jobs (status, lease_until);
