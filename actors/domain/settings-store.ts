// Workspace settings live in the settings bucket under the workspace id; the KV revision is the
// settings revision. Bulk runs read the revision they started with (the bucket keeps history).
// Every actor reads and writes settings through here.
import { WorkspaceSettingsSchema, type WorkspaceSettings, parseKvValue } from '../../protocol/index.ts';
import type { TypedKv } from '../../runtime/index.ts';

export interface StoredSettings {
  settings: WorkspaceSettings;
  revision: number;
}

export async function readSettings(kv: TypedKv, ws: string, revision?: number): Promise<StoredSettings | null> {
  const v = await kv.getRaw(ws, revision ? { revision } : undefined);
  if (!v) return null;
  return { settings: parseKvValue(WorkspaceSettingsSchema, v.value, `settings of workspace ${ws}`), revision: v.revision };
}

/** Store already-validated settings; returns the new revision. */
export async function writeSettings(kv: TypedKv, ws: string, settings: WorkspaceSettings): Promise<number> {
  return kv.put(ws, settings);
}
