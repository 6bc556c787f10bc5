import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { IcContact, SfObject, SfRecord } from '../../connectors/index.ts';
import {
  type IcLinks,
  type IndexEntry,
  type JoinInput,
  type MatchKey,
  type Outcome,
  entryFor,
  joinRecords,
  recordKey,
  tally,
  tallyForContacts,
} from '../../actors/matching/index.ts';

const EMAIL: MatchKey = { kind: 'email' };

function contact(id: string, role: 'user' | 'lead', email: string | null, extra: Partial<IcContact> = {}): IcContact {
  return {
    type: 'contact',
    id,
    role,
    email,
    external_id: null,
    phone: null,
    name: id,
    custom_attributes: {},
    created_at: 1,
    updated_at: 100,
    ...extra,
  };
}

const lead = (n: number, email: string | null, extra: Record<string, unknown> = {}): SfRecord => ({
  Id: `00Q00000000000${n}AAA`,
  Email: email,
  ...extra,
});
const con = (n: number, email: string | null, extra: Record<string, unknown> = {}): SfRecord => ({
  Id: `00300000000000${n}AAA`,
  Email: email,
  ...extra,
});

interface World {
  contacts: IcContact[];
  /** Stored links: [object, sfId, icId]. */
  links?: [SfObject, string, string][];
  key?: MatchKey;
}

/** The join's input as the stores would load it: lookups by the key the index computes. */
function inputFor(w: World, object: SfObject, records: SfRecord[]): JoinInput {
  const key = w.key ?? EMAIL;
  const entries = new Map<string, IndexEntry>(w.contacts.map((c) => [c.id, entryFor(c, key, 0)]));
  const byKey = new Map<string, string[]>();
  for (const e of entries.values()) {
    const k = key.kind === 'email' ? e.email : e.matchKey;
    if (k !== null) byKey.set(k, [...(byKey.get(k) ?? []), e.id]);
  }
  const sfLinks = new Map<string, string>();
  const icLinks = new Map<string, IcLinks>();
  for (const [o, sfId, icId] of w.links ?? []) {
    if (o === object) sfLinks.set(sfId, icId);
    icLinks.set(icId, { ...icLinks.get(icId), [o]: sfId });
  }
  return { object, key, records: records.map((sf) => ({ sf, key: recordKey(sf, key) })), sfLinks, byKey, entries, icLinks };
}

function summary(outcomes: Outcome[]): string[] {
  return outcomes.map((o) => {
    switch (o.kind) {
      case 'matched':
        return `${o.sf.Id}=${o.entry.id} (${o.via})`;
      case 'ambiguous':
        return `${o.sf.Id} ambiguous ${o.side}: sf[${o.candidates.salesforce.join(',')}] ic[${o.candidates.intercom.join(',')}]`;
      case 'skipped':
        return `${o.sf.Id} skipped ${o.reason}`;
      default:
        return `${o.sf.Id} unmatched`;
    }
  });
}

describe('joining Salesforce records with the index', () => {
  it('matches by normalised email: case, blanks and Unicode composition do not matter, dots and +tags do', () => {
    const w: World = {
      contacts: [
        contact('ic1', 'user', '  Ann.Lee@Example.COM '),
        contact('ic2', 'user', 'jose\u0301@example.com'),
        contact('ic3', 'user', 'bob+sales@example.com'),
        contact('ic4', 'user', 'c.d@example.com'),
      ],
    };
    const records = [
      con(1, 'ann.lee@example.com'),
      con(2, 'JOS\u00c9@example.com'),
      con(3, 'bob@example.com'),
      con(4, 'cd@example.com'),
      con(5, null),
    ];
    const r = joinRecords(inputFor(w, 'Contact', records));
    expect(summary(r.outcomes)).toEqual([
      `${con(1, '').Id}=ic1 (key)`,
      `${con(2, '').Id}=ic2 (key)`,
      `${con(3, '').Id} unmatched`,
      `${con(4, '').Id} unmatched`,
      `${con(5, '').Id} unmatched`,
    ]);
  });

  it('prefers a stored link over the email, even when the email now names someone else', () => {
    const w: World = {
      contacts: [contact('old', 'user', 'renamed@example.com'), contact('other', 'user', 'ann@example.com')],
      links: [['Contact', con(1, '').Id, 'old']],
    };
    const r = joinRecords(inputFor(w, 'Contact', [con(1, 'ann@example.com')]));
    expect(summary(r.outcomes)).toEqual([`${con(1, '').Id}=old (link)`]);
    expect(r.staleLinks).toEqual([]);
  });

  it('drops a link whose contact is gone and falls back to the email', () => {
    const w: World = { contacts: [contact('ic2', 'user', 'ann@example.com')], links: [['Contact', con(1, '').Id, 'gone']] };
    const r = joinRecords(inputFor(w, 'Contact', [con(1, 'ann@example.com')]));
    expect(r.staleLinks).toEqual([con(1, '').Id]);
    expect(summary(r.outcomes)).toEqual([`${con(1, '').Id}=ic2 (key)`]);
  });

  it('drops a link the contact side no longer agrees with', () => {
    const w: World = {
      contacts: [contact('ic1', 'user', 'ann@example.com')],
      links: [
        ['Contact', con(2, '').Id, 'ic1'],
        ['Contact', con(1, '').Id, 'ic1'],
      ],
    };
    // The contact side names con(1) last: con(2)'s own link is the stale one.
    const r = joinRecords(inputFor(w, 'Contact', [con(2, 'zed@example.com')]));
    expect(r.staleLinks).toEqual([con(2, '').Id]);
    expect(summary(r.outcomes)).toEqual([`${con(2, '').Id} unmatched`]);
  });

  it('pairs role lead with Leads only, role user with Contacts, and users with Leads while no Contact has them', () => {
    const w: World = {
      contacts: [contact('u1', 'user', 'u1@example.com'), contact('l1', 'lead', 'l1@example.com'), contact('u2', 'user', 'u2@example.com')],
      links: [['Contact', con(9, '').Id, 'u2']],
    };
    const contacts = joinRecords(inputFor(w, 'Contact', [con(1, 'u1@example.com'), con(2, 'l1@example.com')]));
    expect(summary(contacts.outcomes)).toEqual([`${con(1, '').Id}=u1 (key)`, `${con(2, '').Id} unmatched`]);
    const leads = joinRecords(inputFor(w, 'Lead', [lead(1, 'l1@example.com'), lead(2, 'u1@example.com'), lead(3, 'u2@example.com')]));
    expect(summary(leads.outcomes)).toEqual([
      `${lead(1, '').Id}=l1 (key)`,
      `${lead(2, '').Id}=u1 (key)`,
      `${lead(3, '').Id} skipped contact_wins`,
    ]);
  });

  it('lets a Contact win a user over the Lead linked to it before', () => {
    const w: World = {
      contacts: [contact('u1', 'user', 'ann@example.com')],
      links: [
        ['Lead', lead(1, '').Id, 'u1'],
        ['Contact', con(1, '').Id, 'u1'],
      ],
    };
    const r = joinRecords(inputFor(w, 'Lead', [lead(1, 'ann@example.com')]));
    expect(summary(r.outcomes)).toEqual([`${lead(1, '').Id} skipped contact_wins`]);
    expect(r.staleLinks).toEqual([lead(1, '').Id]);
  });

  // API-FACTS "Converted Leads": a converted Lead can be read but not updated.
  it('skips a converted Lead whatever would match it, and drops the link it held', () => {
    const w: World = {
      contacts: [contact('l1', 'lead', 'ann@example.com'), contact('l2', 'lead', 'bob@example.com')],
      links: [['Lead', lead(2, '').Id, 'l2']],
    };
    const r = joinRecords(
      inputFor(w, 'Lead', [
        lead(1, 'ann@example.com', { IsConverted: true }),
        lead(2, 'bob@example.com', { IsConverted: true }),
        lead(3, 'bob@example.com', { IsConverted: false }),
      ]),
    );
    expect(summary(r.outcomes)).toEqual([
      `${lead(1, '').Id} skipped converted`,
      `${lead(2, '').Id} skipped converted`,
      `${lead(3, '').Id}=l2 (key)`,
    ]);
    expect(r.staleLinks).toEqual([lead(2, '').Id]);
    const t = tally(r.outcomes, 'error');
    expect([t.matched.length, t.skipped, t.unmatched, t.ambiguous.length]).toEqual([1, 2, 0, 0]);
    // A Contact has no IsConverted: the flag only means something on a Lead.
    const c = joinRecords(
      inputFor({ contacts: [contact('u1', 'user', 'cy@example.com')] }, 'Contact', [con(1, 'cy@example.com', { IsConverted: true })]),
    );
    expect(summary(c.outcomes)).toEqual([`${con(1, '').Id}=u1 (key)`]);
  });

  it('is ambiguous when several contacts share the key, naming them', () => {
    const w: World = {
      contacts: [
        contact('a', 'user', 'twin@example.com'),
        contact('b', 'user', 'TWIN@example.com'),
        contact('c', 'lead', 'twin@example.com'),
      ],
    };
    const r = joinRecords(inputFor(w, 'Contact', [con(1, 'twin@example.com')]));
    expect(summary(r.outcomes)).toEqual([`${con(1, '').Id} ambiguous intercom: sf[${con(1, '').Id}] ic[a,b]`]);
    // For a Lead the lead-role contact is a candidate as well.
    const l = joinRecords(inputFor(w, 'Lead', [lead(1, 'twin@example.com')]));
    expect(l.outcomes[0]).toMatchObject({ kind: 'ambiguous', candidates: { intercom: ['a', 'b', 'c'] } });
  });

  it('is ambiguous when several records of one batch find one contact', () => {
    const w: World = { contacts: [contact('a', 'user', 'dup@example.com')] };
    const r = joinRecords(inputFor(w, 'Contact', [con(1, 'dup@example.com'), con(2, 'Dup@Example.com'), con(3, 'x@example.com')]));
    const both = `sf[${con(1, '').Id},${con(2, '').Id}] ic[a]`;
    expect(summary(r.outcomes)).toEqual([
      `${con(1, '').Id} ambiguous salesforce: ${both}`,
      `${con(2, '').Id} ambiguous salesforce: ${both}`,
      `${con(3, '').Id} unmatched`,
    ]);
  });

  it('is ambiguous when the contact is already linked to another record of the object, and says which', () => {
    const w: World = { contacts: [contact('a', 'user', 'dup@example.com')], links: [['Contact', con(1, '').Id, 'a']] };
    const r = joinRecords(inputFor(w, 'Contact', [con(2, 'dup@example.com')]));
    expect(r.outcomes[0]).toMatchObject({
      kind: 'ambiguous',
      side: 'salesforce',
      candidates: { salesforce: [con(1, '').Id, con(2, '').Id], intercom: ['a'] },
    });
    expect(r.linkedElsewhere).toEqual([con(1, '').Id]);
    // In one batch the linked record keeps its contact and the other is ambiguous.
    const batch = joinRecords(inputFor(w, 'Contact', [con(1, 'dup@example.com'), con(2, 'dup@example.com')]));
    expect(summary(batch.outcomes)[0]).toBe(`${con(1, '').Id}=a (link)`);
    expect(batch.outcomes[1].kind).toBe('ambiguous');
  });

  it('ignores lookup ids whose entry has moved to another key', () => {
    const input = inputFor({ contacts: [contact('a', 'user', 'new@example.com')] }, 'Contact', [con(1, 'old@example.com')]);
    (input.byKey as Map<string, string[]>).set('old@example.com', ['a']);
    expect(summary(joinRecords(input).outcomes)).toEqual([`${con(1, '').Id} unmatched`]);
  });

  it('matches on an attribute pair instead of the email when the settings say so', () => {
    const key: MatchKey = { kind: 'attribute', icAttribute: 'external_id', sfField: 'Customer_Id__c' };
    const w: World = {
      key,
      contacts: [
        contact('a', 'user', 'same@example.com', { external_id: 'C-1' }),
        contact('b', 'user', 'same@example.com', { external_id: ' C-2 ' }),
      ],
    };
    const r = joinRecords(
      inputFor(w, 'Contact', [
        con(1, 'same@example.com', { Customer_Id__c: 'C-2' }),
        con(2, 'same@example.com', { Customer_Id__c: 'c-1' }),
      ]),
    );
    expect(summary(r.outcomes)).toEqual([`${con(1, '').Id}=b (key)`, `${con(2, '').Id} unmatched`]);
  });

  it('counts outcomes; the skip policy turns an ambiguous record into a skipped one without an error', () => {
    const w: World = {
      contacts: [contact('a', 'user', 't@example.com'), contact('b', 'user', 't@example.com'), contact('c', 'user', 'c@example.com')],
    };
    const r = joinRecords(inputFor(w, 'Contact', [con(1, 't@example.com'), con(2, 'c@example.com'), con(3, 'n@example.com')]));
    const asError = tally(r.outcomes, 'error');
    expect([asError.matched.length, asError.ambiguous.length, asError.unmatched, asError.skipped]).toEqual([1, 1, 1, 0]);
    const asSkip = tally(r.outcomes, 'skip');
    expect([asSkip.matched.length, asSkip.ambiguous.length, asSkip.unmatched, asSkip.skipped]).toEqual([1, 0, 1, 1]);
  });

  it('counts a batch of contacts by what concerns them', () => {
    const w: World = {
      contacts: [
        contact('a', 'user', 't@example.com'),
        contact('b', 'user', 't@example.com'),
        contact('c', 'user', 'c@example.com'),
        contact('d', 'user', 'd@example.com'),
      ],
    };
    const r = joinRecords(inputFor(w, 'Contact', [con(1, 't@example.com'), con(2, 'c@example.com')]));
    const t = tallyForContacts(['a', 'c', 'd'], r.outcomes, 'error');
    expect(t.matched.map((m) => m.entry.id)).toEqual(['c']);
    expect(t.ambiguous.map((o) => o.sf.Id)).toEqual([con(1, '').Id]);
    expect(t.unmatched).toBe(1);
    expect(tallyForContacts(['a', 'c', 'd'], r.outcomes, 'skip')).toMatchObject({ ambiguous: [], skipped: 1, unmatched: 1 });
  });

  it('never pairs one contact with two records of an object, whatever the data (property)', () => {
    const emails = ['a@x.io', 'A@x.io', 'b@x.io', 'c@x.io'];
    const arb = fc.record({
      contacts: fc.array(fc.record({ role: fc.constantFrom('user' as const, 'lead' as const), email: fc.constantFrom(...emails) }), {
        maxLength: 6,
      }),
      records: fc.array(fc.constantFrom(...emails), { maxLength: 8 }),
      object: fc.constantFrom('Lead' as const, 'Contact' as const),
    });
    fc.assert(
      fc.property(arb, ({ contacts, records, object }) => {
        const w: World = { contacts: contacts.map((c, i) => contact(`ic${i}`, c.role, c.email)) };
        const recs = records.map((e, i) => (object === 'Lead' ? lead(i, e) : con(i, e)));
        const r = joinRecords(inputFor(w, object, recs));
        const taken = r.outcomes.flatMap((o) => (o.kind === 'matched' ? [o.entry.id] : []));
        expect(new Set(taken).size).toBe(taken.length);
        for (const o of r.outcomes) {
          if (o.kind !== 'matched') continue;
          expect(o.entry.email).toBe(recordKey(o.sf, EMAIL));
          if (object === 'Contact') expect(o.entry.role).toBe('user');
        }
        expect(r.outcomes).toHaveLength(recs.length);
      }),
    );
  });
});
