// Salesforce record Ids as the platform forms them: a 3-character key prefix per object, 15
// case-sensitive characters, and an 18-character form whose last three characters encode the
// case of the first 15, so that the 18-character form survives case-insensitive systems. The
// API accepts either form wherever it takes an Id and always answers with the 18-character one.
import type { SObjectName } from './salesforce/wire.ts';

export const SF_KEY_PREFIX: Readonly<Record<SObjectName, string>> = { Lead: '00Q', Contact: '003' };

const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID15 = /^[A-Za-z0-9]{15}$/;
const ID18 = /^[A-Za-z0-9]{18}$/;

/** The three suffix characters of a 15-character Id: one per 5 characters, a bit per upper-case letter. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX[bits];
  }
  return suffix;
}

/** The 18-character form of a 15-character Id; an 18-character Id as given; undefined when the
 * text is not an Id at all. */
export function toId18(id: string): string | undefined {
  if (ID15.test(id)) return id + idSuffix(id);
  return ID18.test(id) ? id : undefined;
}

/** An 18-character Id with the case of its first 15 characters restored from its suffix (an Id
 * that went through a system that changed its case); undefined when the suffix is not one. */
export function restoreCase(id: string): string | undefined {
  if (!ID18.test(id)) return undefined;
  const suffix = id.slice(15).toUpperCase();
  let core = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX.indexOf(suffix[chunk]);
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const ch = id[chunk * 5 + i];
      core += bits & (1 << i) ? ch.toUpperCase() : ch.toLowerCase();
    }
  }
  return core + suffix;
}

/** The object an Id belongs to, by its key prefix. */
export function objectOfId(id: string): SObjectName | undefined {
  const prefix = id.slice(0, 3);
  if (prefix === SF_KEY_PREFIX.Lead) return 'Lead';
  if (prefix === SF_KEY_PREFIX.Contact) return 'Contact';
  return undefined;
}

/** 18-character Id, sortable in creation order: base-36 upper-case digits keep ordinal order
 * (the suffix comes after the 15 characters that already tell Ids apart). */
export function makeSfId(object: SObjectName, seq: number): string {
  const id15 = SF_KEY_PREFIX[object] + seq.toString(36).toUpperCase().padStart(12, '0');
  return id15 + idSuffix(id15);
}

/** The creation sequence encoded in an Id made by makeSfId; 0 for foreign Ids. */
export function seqOfId(id: string): number {
  const core = id.slice(3, 15);
  return /^[0-9A-Z]+$/.test(core) ? parseInt(core, 36) : 0;
}
