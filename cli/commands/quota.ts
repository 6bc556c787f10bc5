// `peoplesync quota [--ws W] [--json]`: the Salesforce API usage indicator of a workspace, as its
// quota leader sees it.
import { QuotaUsageShow, type Tier, type UsageIndicator } from '../../protocol/index.ts';
import { configFrom, workspaceFrom, type Common } from '../args.ts';
import { controlClient } from '../control-client.ts';

const TIER_TEXT: Record<Tier, string> = {
  normal: 'normal (everything syncs)',
  bulk_paused: 'bulk sync paused (from 40%)',
  event_paused: 'bulk and event sync paused (from 80%); only requests made by people run',
  exhausted: 'all sync paused',
};

const n = (v: number | null) => (v === null ? 'unknown (no answer from Salesforce yet)' : v.toLocaleString('en-US'));

/** Rounded down, so a workspace at 39.96% never reads as 40% while bulk still runs. */
export function percentText(p: number): string {
  return `${(Math.floor(p * 10) / 10).toFixed(1)}%`;
}

export function formatUsage(i: UsageIndicator): string {
  const rows: Array<[string, string]> = [
    ['org limit (24 h)', n(i.orgLimit)],
    ['org used', n(i.orgUsed)],
    ['defined limit', i.definedLimit > 0 ? n(i.definedLimit) : 'none (set sfApiLimit in the settings)'],
    ['used by workspace', `${n(i.usedByWorkspace)} (${percentText(i.consumptionPercent)} of the defined limit)`],
    ['used by others', n(i.usedByOthers)],
    ['remaining', n(i.remaining)],
    ['tier', TIER_TEXT[i.tier]],
    ['org exhausted', i.orgExhausted ? "yes: Salesforce refuses calls until the org's use falls" : 'no'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [
    `Salesforce API usage of workspace ${i.ws} at ${new Date(i.at).toISOString()}`,
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
  ];
  if (i.warning) lines.push('', i.warning);
  return lines.join('\n');
}

export async function runQuota(values: Common): Promise<number> {
  const cfg = configFrom(values);
  const client = await controlClient(cfg, workspaceFrom(cfg, values.ws));
  try {
    const ind = await client.request(QuotaUsageShow, {});
    process.stdout.write((values.json ? JSON.stringify(ind, null, 2) : formatUsage(ind)) + '\n');
    return 0;
  } finally {
    await client.close();
  }
}
