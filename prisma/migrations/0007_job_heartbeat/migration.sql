-- issue 15: a running job's process touches this every 20 s, so a process on another machine can
-- tell a job whose machine died (no beat for 10 minutes) from one still running there.
ALTER TABLE "Job" ADD COLUMN "heartbeatAt" DATETIME;
