// Types of dockerRegistry.mjs, for the tests that start the real registry through it.
export declare const dockerRegistryBinary: string | undefined;
export declare function freePort(): Promise<number>;
export declare function startDockerRegistry(options?: {
  configLines?: (dir: string) => string[];
}): Promise<{ url: string; dir: string; stop: () => Promise<void> }>;
