// Types for profiles.mjs.
import type { MockProviderProfile } from './mock-provider.mjs';

export const PROFILE_NAMES: MockProviderProfile[];
/** The issuer of `profile` on the mock at `origin`, exactly as its metadata and ID tokens state it. */
export function issuerOf(origin: string, profile: MockProviderProfile): string;
