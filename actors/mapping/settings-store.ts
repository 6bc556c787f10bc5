// Workspace settings live in the settings bucket under the workspace id; the KV revision is the
// settings revision. Bulk runs read the revision they started with (the bucket keeps history).
import { WorkspaceSettingsSchema, type WorkspaceSettings } from '../../protocol/index.ts';
import type { TypedKv } from '../../runtime/index.ts';

export interface StoredSettings {
  settings: WorkspaceSettings;
  revision: number;
}

export async function readSettings(kv: TypedKv, ws: string, revision?: number): Promise<StoredSettings | null> {
  const v = await kv.getRaw(ws, revision ? { revision } : undefined);
  if (!v) return null;
  return { settings: WorkspaceSettingsSchema.parse(v.value), revision: v.revision };
}

/** Store already-validated settings; returns the new revision. */
export async function writeSettings(kv: TypedKv, ws: string, settings: WorkspaceSettings): Promise<number> {
  return kv.put(ws, settings);
}

/** Settings by revision, cached: a revision never changes once written. */
export class SettingsCache {
  private readonly byRevision = new Map<string, StoredSettings>();
  private readonly kv: () => Promise<TypedKv>;

  constructor(kv: () => Promise<TypedKv>) {
    this.kv = kv;
  }

  async get(ws: string, revision: number): Promise<StoredSettings> {
    const key = `${ws}@${revision}`;
    let s = this.byRevision.get(key);
    if (!s) {
      const found = await readSettings(await this.kv(), ws, revision);
      if (!found || found.revision !== revision) throw new Error(`settings revision ${revision} of workspace ${ws} is not stored`);
      s = found;
      if (this.byRevision.size > 64) this.byRevision.clear();
      this.byRevision.set(key, s);
    }
    return s;
  }

  async current(ws: string): Promise<StoredSettings | null> {
    return readSettings(await this.kv(), ws);
  }
}
