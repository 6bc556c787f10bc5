// GET /limits: the org's limits in the recorded shape. Only DailyApiRequests moves; the others
// are the recorded Developer Edition figures, there so a client reading them finds them.

import type { UsageSnapshot } from './usage.ts';

const STATIC: Record<string, number> = {
  ConcurrentAsyncGetReportInstances: 200,
  ConcurrentSyncReportRuns: 20,
  DailyAsyncApexExecutions: 250000,
  DailyBulkApiRequests: 5000,
  DailyDurableGenericStreamingApiEvents: 10000,
  DailyDurableStreamingApiEvents: 10000,
  DailyGenericStreamingApiEvents: 10000,
  DailyStreamingApiEvents: 10000,
  DailyWorkflowEmails: 390,
  DataStorageMB: 5,
  DurableStreamingApiConcurrentClients: 20,
  FileStorageMB: 20,
  HourlyAsyncReportRuns: 1200,
  HourlyDashboardRefreshes: 200,
  HourlyDashboardResults: 5000,
  HourlyDashboardStatuses: 999999999,
  HourlyODataCallout: 10000,
  HourlySyncReportRuns: 500,
  HourlyTimeBasedWorkflow: 50,
  MassEmail: 10,
  SingleEmail: 15,
  StreamingApiConcurrentClients: 20,
};

export function limitsBody(usage: UsageSnapshot): Record<string, { Max: number; Remaining: number }> {
  const out: Record<string, { Max: number; Remaining: number }> = {};
  for (const [name, max] of Object.entries(STATIC)) out[name] = { Max: max, Remaining: max };
  out.DailyApiRequests = { Max: usage.max, Remaining: usage.remaining };
  return out;
}
