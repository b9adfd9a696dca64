// The shape of a `remote:` record (`spec remote add`): what the store keeps, checked by the remotes room and by verify.
/** A saved remote as stored: its `oci://` URL and whether plain HTTP was asked for. */
export interface RemoteRecord {
  url: string;
  plainHttp?: true;
}

/** The record's value, or undefined when it is not one (not JSON, no oci:// URL, a flag that is not boolean). */
export function parseRemoteRecord(value: string): RemoteRecord | undefined {
  let record: unknown;
  try {
    record = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const { url, plainHttp } = record as { url?: unknown; plainHttp?: unknown };
  if (typeof url !== 'string' || !url.startsWith('oci://')) return undefined;
  if (plainHttp !== undefined && typeof plainHttp !== 'boolean') return undefined;
  return { url, ...(plainHttp === true ? { plainHttp: true as const } : {}) };
}

/** The record's text. */
export function formatRemoteRecord(record: RemoteRecord): string {
  return JSON.stringify(record);
}
