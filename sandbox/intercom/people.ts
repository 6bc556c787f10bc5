// What happens in the workspace outside the REST API: a person changes, deletes or merges a
// contact in the product, contacts come in, and the state is seeded, dumped or loaded. Each change
// notifies the webhook subscription as the service would; seeding does not (the contacts existed
// before the sandbox started).
import { validatePatch } from './contact-patch.ts';
import type { IntercomEngine } from './engine.ts';
import { SandboxConflictError, SandboxInputError, SandboxNotFoundError } from './errors.ts';
import { checkCustomAttributes } from './data-attributes.ts';
import { assertContact } from './store.ts';
import type { UserChange } from './types.ts';
import type { StoredContact } from './wire.ts';

function existing(engine: IntercomEngine, id: string): StoredContact {
  const c = engine.store.get(id);
  if (!c) throw new SandboxNotFoundError(`contact ${id} does not exist`);
  return c;
}

/** Changes a contact as a person would in the product: bumps updated_at and fires webhooks. */
export function userChange(engine: IntercomEngine, id: string, change: UserChange): StoredContact {
  const before = existing(engine, id);
  const checked = validatePatch(change, engine.attributes);
  if (!checked.ok) throw new SandboxInputError(`invalid change: ${checked.problem.message}`);
  const conflict = engine.conflictFor(id, checked.patch);
  if (conflict) throw new SandboxConflictError(`A contact matching those details already exists with id=${conflict}`);
  return engine.commit(before, checked.patch, 'merge');
}

export function userDelete(engine: IntercomEngine, id: string): void {
  existing(engine, id);
  engine.deleteContact(id);
}

export function userMerge(engine: IntercomEngine, fromId: string, intoId: string): StoredContact {
  const from = existing(engine, fromId);
  const into = existing(engine, intoId);
  if (from.role !== 'lead' || into.role !== 'user') throw new SandboxInputError('a merge takes a lead (from) into a user (into)');
  return engine.merge(from, into);
}

/** A contact from a partial record: what a new contact has where it says nothing, an id made
 * when it has none, its custom attributes checked against the workspace's. */
function complete(engine: IntercomEngine, p: Partial<StoredContact>): StoredContact {
  const now = engine.now();
  const secs = Math.floor(now / 1000);
  const { workspace_id: _ignored, ...rest } = p;
  return {
    type: 'contact',
    external_id: null,
    role: 'user',
    email: null,
    phone: null,
    name: null,
    ...rest,
    id: p.id ?? engine.store.newId(now),
    custom_attributes: checkedAttributes(engine, p.custom_attributes ?? {}, p.id),
    created_at: p.created_at ?? secs,
    updated_at: p.updated_at ?? p.created_at ?? secs,
  };
}

/** Creates contacts from partial records; search sees them after the lag. */
export function createContacts(engine: IntercomEngine, partials: Iterable<Partial<StoredContact>>, notify: boolean): StoredContact[] {
  const created: StoredContact[] = [];
  for (const p of partials) {
    const contact = complete(engine, p);
    engine.create(contact, notify);
    created.push(contact);
  }
  return created;
}

/** Adds contacts that existed before (a generator's output, a dump, a copy of real data),
 * visible to search at once. */
export function seed(engine: IntercomEngine, contacts: Iterable<Partial<StoredContact>>): number {
  let n = 0;
  for (const c of contacts) {
    engine.store.insert(complete(engine, c), 0);
    n += 1;
  }
  return n;
}

/** Custom attributes a seeded or created contact carries must be the workspace's, of their type. */
function checkedAttributes(engine: IntercomEngine, attrs: unknown, id: string | undefined): Record<string, unknown> {
  const where = `contact ${JSON.stringify(id ?? '(new)')}`;
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs))
    throw new SandboxInputError(`${where}: custom_attributes must be an object`);
  const checked = checkCustomAttributes(attrs as Record<string, unknown>, engine.attributes, { keepArchived: true });
  if (checked.problem) throw new SandboxInputError(`${where}: ${checked.problem.message}`);
  return checked.accepted;
}

export function dumpNdjson(engine: IntercomEngine): string {
  const all = engine.store.all();
  return all.map((c) => JSON.stringify(c)).join('\n') + (all.length ? '\n' : '');
}

/** Replaces (or, with append, extends) the state from NDJSON; names the first bad line. */
export function loadNdjson(engine: IntercomEngine, text: string, append = false): number {
  const parsed: StoredContact[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let c: StoredContact;
    try {
      c = JSON.parse(line) as StoredContact;
    } catch {
      throw new SandboxInputError(`NDJSON line ${i + 1} is not valid JSON`);
    }
    try {
      assertContact(c);
      checkedAttributes(engine, c.custom_attributes, c.id);
    } catch (err) {
      throw new SandboxInputError(`NDJSON line ${i + 1}: ${(err as Error).message}`);
    }
    parsed.push(c);
  });
  if (!append) engine.store.clear();
  return seed(engine, parsed);
}
