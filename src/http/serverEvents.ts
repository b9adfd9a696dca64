// The events `spec serve` pushes to open pages (Server-Sent Events): the drafts or the store changed.
export interface ServerEvent {
  event: 'registry' | 'store';
  data: unknown;
}

/** Listeners of the event stream; each open `GET /v1/events` is one. */
export class ServerEvents {
  private readonly listeners = new Set<(event: ServerEvent) => void>();

  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: ServerEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  get size(): number {
    return this.listeners.size;
  }
}
