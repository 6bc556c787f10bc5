// Benchmark: read a whole org through the Salesforce connector's keyset scan.
// Run: npx tsx test/bench/salesforce-read.ts [records=100000] [pageSize=2000]
// The sandbox runs in the same process, so the figure includes the emulator's own work
// (SOQL evaluation and JSON encoding) on the same cores as the client.

import { createSalesforceClient } from '../../connectors/salesforce/index.ts';
import type { ApiCallReport, SfObject } from '../../connectors/types.ts';
import { startSalesforceSandbox } from '../../sandbox/salesforce/index.ts';

const FIELDS: Record<SfObject, string[]> = {
  Lead: [
    'Email',
    'FirstName',
    'LastName',
    'Company',
    'Title',
    'City',
    'NumberOfEmployees',
    'LeadSource',
    'Phone',
    'Plan__c',
    'Score__c',
    'Trial_End__c',
    'Last_Login__c',
    'HasOptedOutOfEmail',
    'Intercom_Id__c',
    'SystemModstamp',
  ],
  Contact: [
    'Email',
    'FirstName',
    'LastName',
    'Title',
    'MailingCity',
    'Department',
    'LeadSource',
    'Phone',
    'Plan__c',
    'Score__c',
    'Trial_End__c',
    'Last_Login__c',
    'HasOptedOutOfEmail',
    'Intercom_Id__c',
    'SystemModstamp',
  ],
};

function arg(i: number, fallback: number): number {
  const v = process.argv[2 + i];
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`argument ${i + 1} must be a non-negative integer, got ${v}`);
  return n;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const records = arg(0, 100_000);
  const pageSize = arg(1, 2000);
  const t0 = performance.now();
  // No Intercom-only people and no Lead+Contact pairs: every person is exactly one record.
  const sb = await startSalesforceSandbox({ seed: { seed: 1, people: records, icOnlyShare: 0, bothShare: 0 } });
  const seedMs = performance.now() - t0;
  const calls: ApiCallReport[] = [];
  const client = createSalesforceClient({
    auth: { kind: 'client_credentials', loginUrl: sb.url, clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' },
    onCall: (r) => calls.push(r),
    pageSize,
  });
  try {
    await client.connect();
    const rssBefore = process.memoryUsage().rss;
    let read = 0;
    let pages = 0;
    let slowestPageMs = 0;
    const start = performance.now();
    for (const object of ['Lead', 'Contact'] as const) {
      let last = performance.now();
      for await (const page of client.scan(object, FIELDS[object])) {
        read += page.length;
        pages++;
        const now = performance.now();
        slowestPageMs = Math.max(slowestPageMs, now - last);
        last = now;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const queries = calls.filter((c) => c.kind === 'query').length;
    const stats = sb.stats();
    console.log(
      `salesforce-read: ${records} records seeded in ${(seedMs / 1000).toFixed(1)} s (${sb.counts().Lead} Leads, ${sb.counts().Contact} Contacts)`,
    );
    console.log(`  read ${read} records in ${pages} pages, ${seconds.toFixed(2)} s: ${Math.round(read / seconds)} records/s`);
    console.log(
      `  calls: ${queries} query + ${calls.length - queries} auth = ${calls.length} reported; sandbox received ${stats.requests}, charged ${stats.charged}`,
    );
    console.log(`  ${(read / Math.max(1, queries)).toFixed(0)} records per query call, slowest page ${slowestPageMs.toFixed(0)} ms`);
    console.log(`  rss ${mb(rssBefore)} before the scan, ${mb(process.memoryUsage().rss)} after`);
    if (read !== records) throw new Error(`read ${read} records, expected ${records}`);
  } finally {
    await sb.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
