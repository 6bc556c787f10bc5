import { describe, expect, it } from 'vitest';
import { formatUsage, percentText } from '../../cli/commands/quota.ts';
import { WARNING_SOON } from '../../actors/quota/index.ts';
import type { UsageIndicator } from '../../protocol/index.ts';

const base: UsageIndicator = {
  ws: 'ws1',
  orgLimit: 100_000,
  orgUsed: 17_000,
  definedLimit: 15_000,
  usedByWorkspace: 12_000,
  usedByOthers: 5_000,
  remaining: 3_000,
  consumptionPercent: 80,
  tier: 'event_paused',
  orgExhausted: false,
  warning: WARNING_SOON,
  at: Date.UTC(2024, 0, 1, 12, 0, 0),
};

describe('peoplesync quota output', () => {
  it('percent is rounded down, so nothing below a boundary reads as the boundary', () => {
    expect(percentText(39.96)).toBe('39.9%');
    expect(percentText(40)).toBe('40.0%');
    expect(percentText(99.99)).toBe('99.9%');
    expect(percentText(0)).toBe('0.0%');
    expect(percentText(130.25)).toBe('130.2%');
  });

  it('every figure, the tier and the warning', () => {
    expect(formatUsage(base)).toBe(
      [
        'Salesforce API usage of workspace ws1 at 2024-01-01T12:00:00.000Z',
        '  org limit (24 h)   100,000',
        '  org used           17,000',
        '  defined limit      15,000',
        '  used by workspace  12,000 (80.0% of the defined limit)',
        '  used by others     5,000',
        '  remaining          3,000',
        '  tier               bulk and event sync paused (from 80%); only requests made by people run',
        '  org exhausted      no',
        '',
        WARNING_SOON,
      ].join('\n'),
    );
  });

  it('says what is not known yet, and when no limit is defined', () => {
    const text = formatUsage({
      ...base,
      orgLimit: null,
      orgUsed: null,
      usedByOthers: null,
      definedLimit: 0,
      warning: null,
      tier: 'exhausted',
      orgExhausted: true,
      consumptionPercent: 0,
    });
    expect(text).toMatch(/org limit \(24 h\)\s+unknown \(no answer from Salesforce yet\)/);
    expect(text).toMatch(/used by others\s+unknown/);
    expect(text).toMatch(/defined limit\s+none \(set sfApiLimit in the settings\)/);
    expect(text).toMatch(/tier\s+all sync paused/);
    expect(text).toMatch(/org exhausted\s+yes: Salesforce refuses calls/);
    expect(text.endsWith("yes: Salesforce refuses calls until the org's use falls")).toBe(true);
  });
});
