// The Salesforce API usage indicator: the org's total limit with this workspace's and the others'
// use as numbers and one bar, this workspace's own limit, its tier and the article's warnings.
import type { UsageIndicator } from '../../../protocol/index.ts';
import { type Part, escapeHtml, fmt, unavailable } from './html.ts';

export const TIER_TEXT: Record<UsageIndicator['tier'], string> = {
  normal: 'All sync running',
  bulk_paused: 'Bulk sync paused (40% of the limit used)',
  event_paused: 'Event sync paused (80% of the limit used); interactive look-ups only',
  exhausted: 'All sync paused: the limit is used up',
};

/** Bar widths in percent of the org's limit (or of the workspace's, before Salesforce has said). */
export function usageBar(u: UsageIndicator): { mine: number; others: number } {
  const total = u.orgLimit ?? u.definedLimit;
  if (!total) return { mine: 0, others: 0 };
  const pct = (n: number) => Math.min(100, Math.round((1000 * n) / total) / 10);
  const mine = pct(u.usedByWorkspace);
  return { mine, others: Math.min(100 - mine, pct(u.usedByOthers ?? 0)) };
}

export function renderUsage(p: Part<UsageIndicator>): string {
  if (!p.ok) return `<section id="usage"><h2>Salesforce API usage</h2>${unavailable('Usage', p.error)}</section>`;
  const u = p.value;
  const percent = Math.floor(u.consumptionPercent);
  const bar = usageBar(u);
  const noLimit = u.definedLimit === 0;
  return `<section id="usage" data-tier="${escapeHtml(u.tier)}">
  <h2>Salesforce API usage</h2>
  <svg class="usagebar" viewBox="0 0 100 4" preserveAspectRatio="none" role="img" aria-label="API calls used in the last 24 hours">
    <rect class="total" width="100" height="4"></rect><rect class="mine" width="${bar.mine}" height="4"></rect>
    <rect class="others" x="${bar.mine}" width="${bar.others}" height="4"></rect>
  </svg>
  <dl class="figures">
    <dt>Total limit (organisation, 24 hours)</dt><dd data-testid="org-limit">${fmt(u.orgLimit)}</dd>
    <dt><span class="swatch mine"></span>Used by this workspace</dt><dd data-testid="used-workspace">${fmt(u.usedByWorkspace)}</dd>
    <dt><span class="swatch others"></span>Used by others</dt><dd data-testid="used-others">${fmt(u.usedByOthers)}</dd>
    <dt>This workspace's limit</dt><dd><span data-testid="defined-limit">${noLimit ? 'not defined yet' : fmt(u.definedLimit)}</span>
      (<strong data-testid="usage-percent">${percent}%</strong> used)
      <meter min="0" max="100" low="40" high="80" optimum="0" value="${Math.min(100, percent)}">${percent}%</meter></dd>
  </dl>
  <p data-testid="usage-tier">${noLimit ? 'No limit defined yet: save settings to start syncing' : escapeHtml(TIER_TEXT[u.tier])}</p>
  <p class="warning" role="alert" data-testid="usage-warning"${u.warning ? '' : ' hidden'}>${escapeHtml(u.warning ?? '')}</p>
</section>`;
}
