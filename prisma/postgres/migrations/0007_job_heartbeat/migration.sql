-- issue 15: a running job's process touches this every 20 s, so a process on another machine can
-- tell a job whose machine died (no beat for 10 minutes) from one still running there.
ALTER TABLE "Job" ADD COLUMN "heartbeatAt" TIMESTAMP(3);
-- Jobs left unfinished by processes from before this migration start from their last update, so
-- a machine that died before it shows as gone after the same 10 minutes.
UPDATE "Job" SET "heartbeatAt" = "updatedAt" WHERE "status" IN ('queued', 'running', 'cancelling');
