import { Any, Writer, fromUtf8 } from "./proto";

export const CRON_TRIGGER_ID = "cron-trigger@1.0.0";
export const DEFAULT_SCHEDULE = "*/30 * * * * *";

/** Any(capabilities.scheduler.cron.v1.Config{schedule}); the schedule is the UTF-8 workflow config, or every 30 s when empty. */
export function cronTrigger(config: Uint8Array): Any {
  const schedule = config.length == 0 ? DEFAULT_SCHEDULE : fromUtf8(config).trim();
  const w = new Writer();
  w.stringField(1, schedule);
  return Any.pack("capabilities.scheduler.cron.v1.Config", w.finish());
}
