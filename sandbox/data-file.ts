// People files: NDJSON whose every line is one of a Salesforce record
// (`{"attributes":{"type":"Lead"},"Email":...}`), an Intercom contact (`{"type":"contact",...}`)
// or a generated person (`{"lead":...,"contact":...,"intercom":[...]}`), so one file can hold
// both sides of a copy of real data. A dump writes each side back in that form, so a dump loads
// again as it was.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { IntercomSandbox } from './intercom/index.ts';
import type { StoredContact } from './intercom/wire.ts';
import { NdjsonError, readNdjson, writeNdjson } from './ndjson.ts';
import type { SalesforceSandbox } from './salesforce/index.ts';

export class PeopleFileError extends Error {
  override name = 'PeopleFileError';
}

/** The Intercom contacts a line carries: itself, or a generated person's `intercom` list. */
function intercomOf(row: unknown): Partial<StoredContact>[] {
  const r = row as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) return [];
  if (r.type === 'contact' && r.attributes === undefined) return [r as Partial<StoredContact>];
  return Array.isArray(r.intercom) ? (r.intercom as Partial<StoredContact>[]) : [];
}

/** Loads people files into both sandboxes; every problem names the file and the line or row. */
export async function loadPeopleFiles(
  paths: readonly string[],
  sb: { salesforce: SalesforceSandbox; intercom: IntercomSandbox },
): Promise<{ salesforce: number; intercom: number }> {
  let salesforce = 0;
  let intercom = 0;
  for (const path of paths) {
    try {
      salesforce += await sb.salesforce.load(readNdjson(path));
    } catch (err) {
      throw new PeopleFileError(`${path}: ${(err as Error).message.replace(`${path} `, '')}`, { cause: err });
    }
    let line = 0;
    try {
      for await (const row of readNdjson(path)) {
        line++;
        intercom += sb.intercom.seed(intercomOf(row));
      }
    } catch (err) {
      if (err instanceof NdjsonError) throw new PeopleFileError(err.message, { cause: err });
      throw new PeopleFileError(`${path}: row ${line}: ${(err as Error).message}`, { cause: err });
    }
  }
  return { salesforce, intercom };
}

export interface DumpResult {
  salesforce: { path: string; records: number };
  intercom: { path: string; contacts: number };
}

/** Writes both sides to DIR/salesforce.ndjson and DIR/intercom.ndjson. */
export async function dumpSandboxes(dir: string, sb: { salesforce: SalesforceSandbox; intercom: IntercomSandbox }): Promise<DumpResult> {
  await mkdir(dir, { recursive: true });
  const sfPath = join(dir, 'salesforce.ndjson');
  const icPath = join(dir, 'intercom.ndjson');
  const records = await sb.salesforce.dump(sfPath);
  const contacts = await writeNdjson(icPath, sb.intercom.contacts());
  return { salesforce: { path: sfPath, records }, intercom: { path: icPath, contacts } };
}
