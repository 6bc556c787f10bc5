// Live updates for open console pages: server-sent events per workspace. The gateway actor hears
// the workspace's run progress (about every second) and usage reports and passes each to every
// page of that workspace; a comment line every 15 s keeps idle connections (and proxies) open.
import type { ServerResponse } from 'node:http';

export type ConsoleEventName = 'run' | 'usage';

const HEARTBEAT_MS = 15_000;

export class EventHub {
  private readonly clients = new Map<string, Set<ServerResponse>>();
  private timer: NodeJS.Timeout | null = null;

  /** Starts the event stream on `res`; returns what detaches it. */
  attach(ws: string, res: ServerResponse): () => void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    let set = this.clients.get(ws);
    if (!set) this.clients.set(ws, (set = new Set()));
    set.add(res);
    this.timer ??= setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    const detach = () => {
      set.delete(res);
      if (set.size === 0) this.clients.delete(ws);
      if (this.clients.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
    res.on('close', detach);
    return detach;
  }

  send(res: ServerResponse, event: ConsoleEventName, data: unknown): void {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  publish(ws: string, event: ConsoleEventName, data: unknown): void {
    for (const res of this.clients.get(ws) ?? []) this.send(res, event, data);
  }

  /** Ends every stream (the server is closing). */
  closeAll(): void {
    for (const set of this.clients.values()) for (const res of set) res.end();
    this.clients.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private heartbeat(): void {
    for (const set of this.clients.values()) for (const res of set) res.write(': keep-alive\n\n');
  }
}
