-- issue 15: the machine a job runs on, beside its pid. In distributed mode processes on several
-- machines share one database: a pid is only meaningful on its own host, so a start-up marks only
-- its own host's dead jobs as interrupted. NULL: a row written before this column (this host's).
ALTER TABLE "Job" ADD COLUMN "host" TEXT;
