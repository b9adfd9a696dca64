// The tool's own version, recorded in build metadata (never in a snapshot id).
export const toolName = 'specstore';
export const toolVersion = '0.1.0';
