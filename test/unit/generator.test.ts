import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { IcContact, SfRecord } from '../../connectors/types.ts';
import {
  dumpPeople,
  generatePeople,
  LEAD_SOURCES,
  LEAD_STATUSES,
  MAPPED_ATTRIBUTES,
  parseNdjson,
  PLANS,
  readNdjson,
  resolveGeneratorOptions,
  SF_FIELDS,
  type GeneratedPerson,
} from '../../sandbox/generator.ts';

const norm = (e: string | null | undefined) => (e ?? '').trim().toLowerCase().normalize('NFC');
const take = (opts: Parameters<typeof generatePeople>[0]) => [...generatePeople(opts)];

describe('generatePeople', () => {
  const people = take({ seed: 42, people: 20_000 });

  it('gives the same people for the same seed, and other people for another seed', () => {
    const again = take({ seed: 42, people: 300 });
    expect(again).toEqual(people.slice(0, 300));
    const other = take({ seed: 43, people: 300 });
    expect(other.map((p) => p.contact?.Email ?? p.lead?.Email)).not.toEqual(again.map((p) => p.contact?.Email ?? p.lead?.Email));
  });

  it('yields lazily, one person at a time', () => {
    const it = generatePeople({ seed: 1, people: 1_000_000 });
    const first = it.next();
    expect(first.done).toBe(false);
    expect((first.value as GeneratedPerson).index).toBe(0);
    it.return(undefined);
  });

  it('honours the shares within sampling error', () => {
    const sf = people.filter((p) => p.lead || p.contact);
    const icOnly = people.filter((p) => p.meta.kind === 'ic-only');
    const inCommon = people.filter((p) => p.meta.kind === 'in-common');
    expect(icOnly.length / people.length).toBeCloseTo(0.05, 1);
    expect(inCommon.length / sf.length).toBeGreaterThan(0.77);
    expect(inCommon.length / sf.length).toBeLessThan(0.83);
    const leadsOnly = sf.filter((p) => p.lead && !p.contact).length / sf.length;
    expect(leadsOnly).toBeGreaterThan(0.46);
    expect(leadsOnly).toBeLessThan(0.52);
    const differing = inCommon.filter((p) => p.meta.differing.length > 0).length / inCommon.length;
    expect(differing).toBeGreaterThan(0.18);
    expect(differing).toBeLessThan(0.23);
    expect(people.some((p) => p.meta.duplicate)).toBe(true);
    expect(people.some((p) => p.meta.both)).toBe(true);
    expect(new Set(people.map((p) => p.meta.odd).filter(Boolean)).size).toBe(6);
  });

  it('honours explicit shares of 0 and 1', () => {
    const only = take({
      seed: 7,
      people: 500,
      icOnlyShare: 0,
      leadShare: 1,
      bothShare: 0,
      inCommonShare: 1,
      differingShare: 0,
      oddShare: 0,
      duplicateShare: 0,
    });
    expect(only.every((p) => p.lead && !p.contact && p.intercom?.length === 1 && p.meta.differing.length === 0)).toBe(true);
  });

  it('makes 18-character Ids with the right prefix, increasing in creation order', () => {
    const leads = people.flatMap((p) => (p.lead ? [p.lead.Id] : []));
    const contacts = people.flatMap((p) => (p.contact ? [p.contact.Id] : []));
    for (const [ids, prefix] of [
      [leads, '00Q'],
      [contacts, '003'],
    ] as const) {
      expect(ids.every((id) => id.length === 18 && id.startsWith(prefix))).toBe(true);
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const icIds = people.flatMap((p) => p.intercom ?? []).map((c) => c.id);
    expect(icIds.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
    expect(new Set(icIds).size).toBe(icIds.length);
  });

  it('fills only values the describe allows', () => {
    // Collects problems instead of asserting per value: 20k people x 22 fields of expect() is slow.
    const problems: string[] = [];
    const check = (object: 'Lead' | 'Contact', r: SfRecord) => {
      const bad = (f: string, why: string) => problems.push(`${r.Id}.${f}: ${why} (${JSON.stringify(r[f])})`);
      for (const f of SF_FIELDS[object]) {
        const v = r[f.name];
        if (v === undefined) {
          bad(f.name, 'missing');
          continue;
        }
        if (v === null) {
          if (!f.nillable && f.type !== 'boolean') bad(f.name, 'null in a required field');
          continue;
        }
        if (f.length && typeof v === 'string' && f.type !== 'id' && v.length > f.length) bad(f.name, 'too long');
        if (f.name === 'Plan__c' && !(PLANS as readonly unknown[]).includes(v)) bad(f.name, 'not in picklist');
        if (f.name === 'LeadSource' && !(LEAD_SOURCES as readonly unknown[]).includes(v)) bad(f.name, 'not in picklist');
        if (f.name === 'Status' && !(LEAD_STATUSES as readonly unknown[]).includes(v)) bad(f.name, 'not in picklist');
        if (f.type === 'datetime' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/.test(String(v))) bad(f.name, 'not a datetime');
        if (f.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(v))) bad(f.name, 'not a date');
        if (f.type === 'boolean' && typeof v !== 'boolean') bad(f.name, 'not a boolean');
      }
      if (String(r.SystemModstamp) < String(r.CreatedDate)) bad('SystemModstamp', 'before CreatedDate');
    };
    for (const p of people) {
      if (p.lead) check('Lead', p.lead);
      if (p.contact) check('Contact', p.contact);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('puts over-long and disallowed values only on the Intercom side, and rarely', () => {
    const ic = people.flatMap((p) => p.intercom ?? []);
    const long = ic.filter((c) => (c.phone ?? '').length > 40);
    expect(long.length).toBeGreaterThan(0);
    expect(long.length / ic.length).toBeLessThan(0.005);
    expect(ic.some((c) => c.custom_attributes.plan === 'Premium')).toBe(true);
  });

  it('pairs Intercom roles with the Salesforce side: lead for Leads, user for Contacts', () => {
    for (const p of people.filter((x) => x.meta.kind === 'in-common')) {
      const role = p.contact ? 'user' : 'lead';
      expect(p.intercom!.every((c: IcContact) => c.role === role)).toBe(true);
      const sfEmail = norm((p.contact ?? p.lead)!.Email as string);
      expect(p.intercom!.every((c) => norm(c.email) === sfEmail)).toBe(true);
    }
  });

  it('makes people who are both a Lead and a Contact with one email', () => {
    const both = people.filter((p) => p.meta.both);
    expect(both.length).toBeGreaterThan(0);
    for (const p of both) expect(p.lead!.Email).toBe(p.contact!.Email);
  });

  it('gives ambiguous people two Intercom contacts with one normalised email', () => {
    const dups = people.filter((p) => p.meta.duplicate);
    for (const p of dups) {
      expect(p.intercom).toHaveLength(2);
      expect(norm(p.intercom![0].email)).toBe(norm(p.intercom![1].email));
      expect(p.intercom![0].id).not.toBe(p.intercom![1].id);
    }
  });

  it('keeps in-sync pairs equal on every mapped attribute, and differing pairs different', () => {
    const icValue = (c: IcContact, path: string) => (path.startsWith('custom_attributes.') ? c.custom_attributes[path.slice(18)] : c[path]);
    const sfAsIc = (key: string, v: unknown) =>
      v === null
        ? null
        : key === 'trialEnd'
          ? Date.parse(String(v)) / 1000
          : key === 'lastLogin'
            ? Date.parse(String(v).replace('+0000', 'Z')) / 1000
            : v;
    const mismatched: string[] = [];
    for (const p of people.filter((x) => x.meta.kind === 'in-common' && !x.meta.differing.length && !x.meta.both && x.meta.odd === null)) {
      const object = p.contact ? 'Contact' : 'Lead';
      for (const [key, where] of Object.entries(MAPPED_ATTRIBUTES)) {
        if (!where[object]) continue;
        const sf = sfAsIc(key, (p.contact ?? p.lead)![where[object]!]);
        if (sf !== icValue(p.intercom![0], where.intercom)) mismatched.push(`${p.index}.${key}`);
      }
    }
    expect(mismatched).toEqual([]);
    // Every differing attribute named in meta really differs, read through MAPPED_ATTRIBUTES.
    const differing = people.filter((p) => p.meta.differing.length && !p.meta.both && p.meta.odd === null);
    expect(differing.length).toBeGreaterThan(100);
    const unchanged: string[] = [];
    for (const p of differing) {
      const object = p.contact ? 'Contact' : 'Lead';
      for (const key of p.meta.differing) {
        const where = MAPPED_ATTRIBUTES[key]!;
        const sf = sfAsIc(key, (p.contact ?? p.lead)![where[object]!]);
        if (sf === icValue(p.intercom![0], where.intercom)) unchanged.push(`${p.index}.${key}`);
      }
    }
    expect(unchanged).toEqual([]);
  });

  it('makes odd emails that still match once normalised', () => {
    const byKind = (k: string) => people.filter((p) => p.meta.odd === k);
    const spaces = byKind('email-spaces')[0];
    expect(spaces.intercom![0].email).not.toBe(spaces.intercom![0].email!.trim());
    const unicode = byKind('email-unicode')[0];
    expect(unicode.intercom![0].email).not.toBe((unicode.contact ?? unicode.lead)!.Email);
    expect(unicode.intercom![0].email!.normalize('NFC')).toBe((unicode.contact ?? unicode.lead)!.Email);
    const cased = byKind('email-case')[0];
    expect((cased.contact ?? cased.lead)!.Email).not.toBe(cased.intercom![0].email);
    const empty = byKind('empty-vs-null')[0];
    expect(empty.intercom![0].phone).toBe('');
    expect((empty.contact ?? empty.lead)!.Phone).toBeNull();
  });

  it('lets many records share one SystemModstamp, as cursors must survive', () => {
    const stamps = new Map<string, number>();
    for (const p of people)
      for (const r of [p.lead, p.contact]) if (r) stamps.set(r.SystemModstamp!, (stamps.get(r.SystemModstamp!) ?? 0) + 1);
    expect(Math.max(...stamps.values())).toBeGreaterThan(20);
  });

  it('rejects bad options with a message naming the option', () => {
    expect(() => resolveGeneratorOptions({ seed: 1, people: -1 })).toThrow(/people/);
    expect(() => resolveGeneratorOptions({ seed: 1.5, people: 1 })).toThrow(/seed/);
    expect(() => resolveGeneratorOptions({ seed: 1, people: 1, leadShare: 2 })).toThrow(/leadShare/);
  });
});

describe('NDJSON helpers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gen-ndjson-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips generated people through a file', async () => {
    const path = join(dir, 'people.ndjson');
    expect(await dumpPeople(path, { seed: 5, people: 250 })).toBe(250);
    const back: unknown[] = [];
    for await (const row of readNdjson(path)) back.push(row);
    expect(back).toEqual(JSON.parse(JSON.stringify(take({ seed: 5, people: 250 }))));
  });

  it('names the line of a broken row', () => {
    expect(() => parseNdjson('{"a":1}\n\n{oops}\n', 'seed.ndjson')).toThrow(/seed\.ndjson line 3/);
  });
});
