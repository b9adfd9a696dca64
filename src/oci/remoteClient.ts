// A client for a remote location: the right scheme for its host, and credentials looked up only when the registry asks.
import { DistributionClient, type FetchFunction } from './distributionClient.js';
import type { RemoteLocation } from './remotes.js';
import { findRegistryCredentials } from './registryCredentials.js';

export interface RemoteClientOptions {
  /** The environment credentials are read from (SPEC_REGISTRY_USERNAME, DOCKER_CONFIG, HOME). */
  env: Record<string, string | undefined>;
  fetch?: FetchFunction;
}

/** A DistributionClient for `location`. */
export function remoteClient(location: RemoteLocation, options: RemoteClientOptions): DistributionClient {
  return new DistributionClient({
    baseUrl: location.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    credentials: () => findRegistryCredentials(location.registry, { env: options.env }),
  });
}
